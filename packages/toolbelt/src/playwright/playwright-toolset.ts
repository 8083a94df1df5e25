/**
 * The Playwright adapter in one call: a browser session on an allowlist plus the tools that act in
 * it, the observation function, the allowlist guard for the TAL, and the browser manager (restart).
 *
 * Reuse: pass one BrowserManager to many toolsets (one per episode) so Chromium starts once and each
 * episode gets a fresh, isolated context.
 */
import type { Browser } from 'playwright-core';
import type { AnyTool, ToolGuard } from '../index';
import { type BrowserLaunchOptions, BrowserManager } from './browser-manager';
import { BrowserSession, type BrowserSessionOptions } from './browser-session';
import { OriginAllowlist, originGuard } from './origin-allowlist';
import type { PageObservation } from './page-observation';
import { type ScreenshotOptions, takeScreenshot } from './screenshot';
import { elementTools } from './tools/element-tools';
import { pageTools } from './tools/page-tools';
import { readTools } from './tools/read-tools';
import { tabTools } from './tools/tab-tools';

export interface PlaywrightToolsetOptions extends Omit<BrowserSessionOptions, 'manager' | 'allowlist'> {
  /** A shared BrowserManager, a Browser you launched, or launch options (default: launch Debian's Chromium). */
  browser?: BrowserManager | Browser | BrowserLaunchOptions;
  /** Origins the agent may visit (`http://127.0.0.1:8080`, `https://example.com`, `http://localhost:*`). */
  allowlist: readonly string[] | OriginAllowlist;
  /** Largest screenshot the screenshot tool returns (default 200,000 bytes). */
  maxScreenshotBytes?: number;
}

export interface PlaywrightToolset {
  /** navigate, click, fill, type, select_option, check, uncheck, press_key, scroll, back, forward, open_tab, switch_tab, close_tab, wait_for_text, observe, extract_text, extract_table, screenshot, answer. */
  readonly tools: AnyTool[];
  readonly session: BrowserSession;
  readonly manager: BrowserManager;
  /** Refuses any call whose `url` is off the allowlist; pass it in the TAL's `guards`. */
  readonly guard: ToolGuard;
  /** The compact observation of the active tab. */
  observe(): Promise<PageObservation>;
  /** A size-capped JPEG of the active tab. */
  screenshot(options?: ScreenshotOptions): Promise<Uint8Array>;
  /** Closes the session's context, and the browser when this toolset launched it. */
  close(): Promise<void>;
}

function isBrowser(value: unknown): value is Browser {
  return (
    typeof (value as Browser | undefined)?.newContext === 'function' &&
    typeof (value as Browser).version === 'function'
  );
}

export async function createPlaywrightToolset(options: PlaywrightToolsetOptions): Promise<PlaywrightToolset> {
  const { browser, allowlist, maxScreenshotBytes, ...sessionOptions } = options;
  const ownsManager = !(browser instanceof BrowserManager);
  const manager =
    browser instanceof BrowserManager
      ? browser
      : isBrowser(browser)
        ? new BrowserManager({ browser })
        : new BrowserManager(browser ?? {});
  const list = allowlist instanceof OriginAllowlist ? allowlist : new OriginAllowlist(allowlist);
  let session: BrowserSession;
  try {
    session = await BrowserSession.open({ ...sessionOptions, manager, allowlist: list });
  } catch (error) {
    if (ownsManager) await manager.close();
    throw error;
  }
  const tools = [
    ...pageTools(session),
    ...elementTools(session),
    ...tabTools(session),
    ...readTools(session, maxScreenshotBytes === undefined ? {} : { maxScreenshotBytes }),
  ];
  return {
    tools,
    session,
    manager,
    guard: originGuard(list),
    observe: () => session.observe(),
    screenshot: async (shotOptions) =>
      (await takeScreenshot(session.page, { maxBytes: maxScreenshotBytes, ...shotOptions })).bytes,
    close: async () => {
      await session.close();
      if (ownsManager) await manager.close();
    },
  };
}
