/**
 * Measured, not computed: peak memory of a QuZO step against plain forward passes of the same
 * model, each mode in its own child process (see __fixtures__/memory-probe.ts).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', '..');

interface ProbeResult {
  mode: string;
  weightBytes: number;
  trainableBytes: number;
  peakRssBytes: number;
  peakArrayBufferBytes: number;
  scratchBytes: number;
  losses: number[];
}

function probe(model: string, mode: string, dims: number[]): ProbeResult {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '--conditions=@chimera/source',
      join(here, '__fixtures__', 'memory-probe.ts'),
      model,
      mode,
      ...dims.map(String),
    ],
    { cwd: packageDir, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`memory probe ${model}/${mode} failed: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ProbeResult;
}

describe('QuZO memory', () => {
  it('a QuZO step on a 4-bit MLP with LoRA peaks within 10% of two plain forward passes', () => {
    // 2048 -> 4096 -> 2048, 16.8M 4-bit weights (10.5 MB with scales and zero points), LoRA r=8.
    const dims = [2048, 4096, 2048, 4, 1];
    const forward = probe('int4-lora', 'forward', dims);
    const quzo = probe('int4-lora', 'quzo', dims);
    expect(quzo.losses.every(Number.isFinite)).toBe(true);
    expect(quzo.weightBytes).toBeGreaterThan(10e6);
    // ArrayBuffer bytes are exact allocations (weights, activations, optimizer scratch).
    expect(quzo.peakArrayBufferBytes).toBeLessThanOrEqual(1.1 * forward.peakArrayBufferBytes);
    expect(quzo.peakRssBytes).toBeLessThanOrEqual(1.1 * forward.peakRssBytes);
    // The optimizer's own scratch: restore hints (1 bit per trainable value) plus ledger.
    expect(quzo.scratchBytes).toBeLessThan(0.1 * quzo.weightBytes);
  }, 120_000);
});
