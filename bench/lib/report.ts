/**
 * Benchmark reporting: every benchmark writes bench/results/<name>.json and a readable table
 * bench/results/<name>.md. Each row compares a measured value with a baseline measured in the
 * same run (machines here are noisy: ratios within one run are what can be compared).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. `stratified sample, batch 256`. */
  metric: string;
  value: number;
  unit: string;
  /** The in-run baseline's value in the same unit (omit only when no baseline makes sense). */
  baseline?: number;
  /** Name of the baseline, e.g. `per-sample descent`. */
  baselineName?: string;
  /** Target, in the same unit, when the issue states one. */
  target?: number;
  /** `lower` when smaller values are better (latencies), `higher` for throughputs. */
  better: 'lower' | 'higher';
  note?: string;
}

export interface BenchResult {
  name: string;
  rows: (BenchRow & { ratio: number | null; meetsTarget: boolean | null })[];
  node: string;
  cpu: string;
  cores: number;
  date: string;
}

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Speed-up of `value` over `baseline` (> 1 means better than the baseline). */
function ratioOf(row: BenchRow): number | null {
  if (row.baseline === undefined || row.baseline === 0 || row.value === 0) return null;
  return row.better === 'lower' ? row.baseline / row.value : row.value / row.baseline;
}

export function writeResult(name: string, rows: BenchRow[]): BenchResult {
  const result: BenchResult = {
    name,
    rows: rows.map((r) => ({
      ...r,
      ratio: ratioOf(r),
      meetsTarget:
        r.target === undefined ? null : r.better === 'lower' ? r.value <= r.target : r.value >= r.target,
    })),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString(),
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const fmt = (v: number | undefined | null) =>
    v === undefined || v === null ? '' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3);
  const lines = [
    `# ${name}`,
    '',
    `${result.cpu}, ${result.cores} cores, Node ${result.node}, ${result.date}`,
    '',
    '| metric | value | unit | baseline | baseline value | ratio (x better) | target | meets |',
    '|---|---|---|---|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.metric} | ${fmt(r.value)} | ${r.unit} | ${r.baselineName ?? ''} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${fmt(r.target)} | ${r.meetsTarget === null ? '' : r.meetsTarget ? 'yes' : 'no'} |`,
    ),
    '',
  ];
  writeFileSync(join(resultsDir, `${name}.md`), lines.join('\n'));
  console.log(lines.join('\n'));
  return result;
}

/** Median of repeated timings, in the unit the callback returns. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Times `fn` `iterations` times per sample, `samples` times; returns the median ns per iteration. */
export function timeNsPerOp(fn: () => void, iterations: number, samples = 7): number {
  for (let i = 0; i < Math.min(iterations, 1000); i++) fn();
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    out.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(out);
}

export async function timeNsPerOpAsync(
  fn: () => Promise<unknown>,
  iterations: number,
  samples = 7,
): Promise<number> {
  for (let i = 0; i < Math.min(iterations, 200); i++) await fn();
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    out.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  return median(out);
}
