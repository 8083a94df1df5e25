/**
 * Size-capped JPEG screenshots for the experience record: quality steps down until the image fits
 * the byte budget; a full-page shot that still does not fit falls back to the viewport.
 */
import type { Page } from 'playwright-core';

export interface ScreenshotOptions {
  fullPage?: boolean;
  /** Largest JPEG accepted (default 200,000 bytes). */
  maxBytes?: number;
}

const QUALITIES = [70, 50, 35, 20];

export async function takeScreenshot(
  page: Page,
  options: ScreenshotOptions = {},
): Promise<{ bytes: Uint8Array; quality: number }> {
  const maxBytes = options.maxBytes ?? 200_000;
  let fullPage = options.fullPage ?? false;
  for (;;) {
    for (const quality of QUALITIES) {
      const bytes = await page.screenshot({
        type: 'jpeg',
        quality,
        fullPage,
        timeout: 15_000,
        animations: 'disabled',
      });
      if (bytes.byteLength <= maxBytes) return { bytes: new Uint8Array(bytes), quality };
    }
    if (!fullPage) break;
    fullPage = false;
  }
  // Even the smallest viewport JPEG is over budget: shrink the clip to fit.
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const bytes = await page.screenshot({
    type: 'jpeg',
    quality: 20,
    clip: { x: 0, y: 0, width: viewport.width, height: Math.max(100, Math.floor(viewport.height / 2)) },
  });
  return { bytes: new Uint8Array(bytes), quality: 20 };
}
