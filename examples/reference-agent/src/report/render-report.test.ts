import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserManager } from '@chimera/toolbelt/playwright';
import { afterAll, describe, expect, it } from 'vitest';
import type { FamilyScore, RunMetrics } from '../metrics';
import { renderReport } from './render-report';

const dir = mkdtempSync(join(tmpdir(), 'chimera-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scores(rateExp: number, rateLex: number): FamilyScore[] {
  return [
    {
      environment: 'web',
      family: 'site-conventions',
      needsExperience: true,
      episodes: 10,
      successes: Math.round(10 * rateExp),
      rate: rateExp,
    },
    {
      environment: 'web',
      family: 'navigation',
      needsExperience: false,
      episodes: 10,
      successes: Math.round(10 * rateLex),
      rate: rateLex,
    },
  ];
}

const metrics: RunMetrics = {
  version: 1,
  seed: 1,
  startedAt: '2026-11-25T00:00:00.000Z',
  config: { env: 'web' },
  memoryPlan: ['base weights: 16 GiB gpu'],
  randomBaseline: scores(0, 0.1),
  cycles: [0, 1, 2].map((cycle) => ({
    cycle,
    heldout: scores(0.2 + 0.3 * cycle, 0.9),
    training: scores(0.1 * cycle, 0.8),
    perSelf: [{ self: 'Form_Filler', episodes: 4, successes: cycle, rate: cycle / 4 }],
    objectives: cycle
      ? [
          {
            id: `objective-${cycle}`,
            cycle,
            targetSelf: 'Form_Filler',
            summary: 'Remediate <script> failures',
            evidence: {},
            kept: true,
            outcome: 'kept v2',
          },
        ]
      : [],
    swaps: { count: 3, meanLatencyMs: 0.05 },
    timings: [{ phase: 'act', ms: 1000 * (cycle + 1) }],
    memoryMb: { rss: 300, heapUsed: 80 },
    multiAgent: {},
  })),
};

describe('the HTML report', () => {
  it('is self-contained, escapes text, and draws its charts in real Chromium', async () => {
    const html = renderReport(metrics);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
    expect(html).toContain('Remediate &lt;script&gt; failures');
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const manager = new BrowserManager({ headless: true });
    try {
      const browser = await manager.browser();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      await page.waitForFunction(() => document.body.dataset.charts === '4', undefined, { timeout: 10_000 });
      // Each chart is a canvas with pixels drawn on it.
      const drawn = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].map((c) => {
          const ctx = c.getContext('2d')!;
          const data = ctx.getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
          return painted;
        }),
      );
      expect(errors).toEqual([]);
      expect(drawn.length).toBe(4);
      for (const painted of drawn) expect(painted).toBeGreaterThan(100);
    } finally {
      await manager.close();
    }
  }, 60_000);
});
