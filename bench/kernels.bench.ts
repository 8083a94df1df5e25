/**
 * Kernel throughput: the native C++ kernels (and CUDA where a device exists) against the
 * TypeScript reference kernels, on parameter buffers of 1M to 64M float32 values, with a plain
 * memory copy (TypedArray.set) measured in the same run as the limit of any pass over the buffer.
 * GB/s counts the bytes a pass must move: 8 bytes per parameter (read + write) for perturb,
 * restore, update and SR quantization, 4 for generating Gaussians.
 * Work is chunked (1M parameters per call) as the optimizer does.
 */
import { type KernelSet, quantizerFor, typescriptKernels } from '@chimera/runtime-cuda';
import { loadNativeKernels } from '@chimera/runtime-cuda/native';
import { type BenchRow, median, writeResult } from './lib/report';

const native = loadNativeKernels();
const backends: KernelSet[] = [typescriptKernels];
if (native.available) backends.push(native.cpu);
if (native.cuda) backends.push(native.cuda);
console.log(`native: ${native.available ? 'yes' : 'no'}; ${native.reason ?? `CUDA ${native.device?.name}`}`);

const sizes = (process.env.KERNEL_BENCH_SIZES ?? '1,4,16,64').split(',').map((m) => Number(m) * 2 ** 20);
const CHUNK = 2 ** 20;

function timeMs(fn: () => void, repeats: number): number {
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

const rows: BenchRow[] = [];
for (const n of sizes) {
  const label = `${n / 2 ** 20}M params`;
  const params = new Float32Array(n);
  typescriptKernels.gaussian(params, 1, 0, 0);
  for (let i = 0; i < n; i++) params[i] = params[i]! * 0.03;
  const copyTarget = new Float32Array(n);
  const copyMs = timeMs(() => copyTarget.set(params), 5);
  const copyGBs = (8 * n) / copyMs / 1e6;
  const hints = new Uint8Array(CHUNK / 8);
  const ledgerIndex = new Uint32Array(CHUNK);
  const ledgerValue = new Float32Array(CHUNK);
  const ledgerCounts: number[] = [];
  const srOut = new Float32Array(Math.min(n, CHUNK));
  for (const k of backends) {
    // TypeScript at 64M takes minutes per pass on a loaded 2-core machine: one repeat there.
    const repeats = k.backend === 'typescript' ? (n >= 16 * 2 ** 20 ? 1 : 2) : 3;
    const range = k.gaussianRange(3, 0, n);
    const noise = { seed: 3, tensor: 0, quantizer: quantizerFor(range.min, range.max, 4) };
    const chunks = (fn: (chunk: Float32Array, start: number, c: number) => void) => {
      for (let s = 0, c = 0; s < n; s += CHUNK, c++) fn(params.subarray(s, Math.min(n, s + CHUNK)), s, c);
    };
    const ops: [string, number, () => void][] = [
      [
        'Gaussian generation',
        4,
        () => chunks((chunk, s) => k.gaussian(copyTarget.subarray(s, s + chunk.length), 5, 0, s)),
      ],
      [
        'perturb +eps u (4-bit SR, exact-restore hints)',
        8,
        () => {
          // Each repeat perturbs and restores, so the buffer is unchanged between repeats.
          chunks((chunk, s, c) => {
            ledgerCounts[c] = k.perturbPlus(chunk, s, noise, 1e-3, hints, ledgerIndex, ledgerValue);
            k.perturbMinus(chunk, s, noise, 1e-3, hints, ledgerIndex, ledgerValue, ledgerCounts[c]!);
            k.perturbRestore(chunk, s, noise, 1e-3, hints, ledgerIndex, ledgerValue, ledgerCounts[c]!);
          });
        },
      ],
      [
        'update, 1 direction (4-bit SR, own draw)',
        8,
        () =>
          chunks((chunk, s) =>
            k.update(chunk, s, 0, [{ seed: 3, coefficient: 0.1, quantizer: noise.quantizer }], 1e-6, 0),
          ),
      ],
      [
        'stochastic rounding to 8 bits (per 1M block)',
        8,
        () =>
          chunks((chunk, s) => k.stochasticRound(chunk, srOut.subarray(0, chunk.length), 8, 9, s / CHUNK)),
      ],
    ];
    for (const [name, bytesPerParam, fn] of ops) {
      fn(); // warm-up (JIT, page faults)
      let ms = timeMs(fn, repeats);
      let passes = 1;
      // The perturb op above runs three passes (plus, minus, restore): report per pass.
      if (name.startsWith('perturb')) passes = 3;
      ms /= passes;
      const gbs = (bytesPerParam * n) / ms / 1e6;
      rows.push({
        metric: `${name}, ${label}, ${k.backend}`,
        value: gbs,
        unit: 'GB/s',
        baseline: copyGBs,
        baselineName: 'TypedArray.set copy (same buffer size)',
        better: 'higher',
        note: name.startsWith('perturb')
          ? `per pass (mean of +, -, restore); ${(ms * 1e6) / n} ns/param; ledger ${ledgerCounts.reduce((a, b) => a + b, 0)} of ${n}`
          : `${((ms * 1e6) / n).toFixed(2)} ns/param`,
      });
      console.log(rows[rows.length - 1]);
    }
  }
}

// Native vs TypeScript speed-up rows, from the measurements above.
for (const row of rows.filter((r) => r.metric.endsWith(', cpu') || r.metric.endsWith(', cuda'))) {
  const ts = rows.find((r) => r.metric === row.metric.replace(/, (cpu|cuda)$/, ', typescript'));
  if (!ts) continue;
  rows.push({
    metric: `${row.metric} vs typescript`,
    value: row.value,
    unit: 'GB/s',
    baseline: ts.value,
    baselineName: 'TypeScript kernels (same run)',
    better: 'higher',
  });
}

writeResult('kernels', rows);
