/**
 * Child-process probe for the memory test and the quzo benchmark: builds a model whose weights
 * dominate the process's memory, runs one mode, and prints peak memory as JSON. Each mode runs in
 * a fresh process so high-water marks (maxRSS, ArrayBuffer bytes) do not mix.
 *
 * models:
 *   int4-lora  two 4-bit block-quantized layers (frozen, MatMulNBits layout) with LoRA (trained)
 *   fp32-full  two float32 layers, every weight trained (the hardest case for in-place perturbation)
 * modes:
 *   forward  2 x steps forward passes (the passes a QuZO step makes)
 *   quzo     `steps` QuZO steps (4-bit perturbations, INT8 projected gradient)
 *   adam     `steps` first-order Adam steps with backprop (fp32-full only)
 *
 * argv: model mode inputDim hiddenDim outputDim batch steps [kernels: auto|typescript]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { quantizeInt4 } from '../../kernels/int4-matrix';
import type { Int4Matrix, KernelSet } from '../../kernels/kernel-set';
import { typescriptKernels } from '../../kernels/typescript-kernels';
import { kernels as pickKernels } from '../../native/load-native-kernels';
import { QuZOOptimizer } from '../quzo-optimizer';

const args = process.argv.slice(2);
const [model = 'int4-lora', mode = 'forward'] = args;
const [inputDim, hiddenDim, outputDim, batch, steps] = args.slice(2, 7).map(Number) as [
  number,
  number,
  number,
  number,
  number,
];
const k: KernelSet = args[7] === 'typescript' ? typescriptKernels : pickKernels('cpu');

let peakArrayBuffers = 0;
function sample(): void {
  peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
}

function gaussian(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  k.gaussian(out, seed, 0, 0);
  for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
  return out;
}

/** Quantizes a seeded W [rows, cols] one column block at a time, so no full float copy is ever held. */
function int4Layer(rows: number, cols: number, seed: number): Int4Matrix {
  const parts: Int4Matrix[] = [];
  const step = 256;
  for (let c0 = 0; c0 < cols; c0 += step) {
    const c = Math.min(step, cols - c0);
    parts.push(quantizeInt4(gaussian(rows * c, seed + c0, 1 / Math.sqrt(rows)), rows, c, 32));
  }
  const rowBytes = parts[0]!.packed.length / parts[0]!.n;
  const blocks = parts[0]!.scales.length / parts[0]!.n;
  const packed = new Uint8Array(cols * rowBytes);
  const scales = new Float32Array(cols * blocks);
  const zeroPoints = new Uint8Array(cols * blocks);
  parts.forEach((p, i) => {
    packed.set(p.packed, i * step * rowBytes);
    scales.set(p.scales, i * step * blocks);
    zeroPoints.set(p.zeroPoints!, i * step * blocks);
  });
  return { k: rows, n: cols, blockSize: 32, packed, scales, zeroPoints };
}

const x = gaussian(batch * inputDim, 3, 1);
const target = gaussian(batch * outputDim, 4, 0.1);
const hidden = new Float32Array(batch * hiddenDim);
const output = new Float32Array(batch * outputDim);

function mse(): number {
  let loss = 0;
  for (let i = 0; i < output.length; i++) loss += (output[i]! - target[i]!) ** 2;
  sample();
  return loss / (2 * output.length);
}

/** out[b, j] = sum_i a[b, i] w[i, j] (row-major). */
function matmul(
  a: Float32Array,
  w: Float32Array,
  rows: number,
  inner: number,
  cols: number,
  out: Float32Array,
): void {
  out.fill(0);
  for (let b = 0; b < rows; b++) {
    const o = b * cols;
    for (let i = 0; i < inner; i++) {
      const v = a[b * inner + i]!;
      const wRow = i * cols;
      for (let j = 0; j < cols; j++) out[o + j]! += v * w[wRow + j]!;
    }
  }
}

let params: Float32Array[];
let forward: () => number;
let weightBytes: number;
let trainableBytes: number;

if (model === 'int4-lora') {
  const rank = 8;
  const w1 = int4Layer(inputDim, hiddenDim, 100);
  const w2 = int4Layer(hiddenDim, outputDim, 200);
  const a1 = gaussian(inputDim * rank, 5, 1 / Math.sqrt(inputDim));
  const b1 = new Float32Array(rank * hiddenDim);
  const a2 = gaussian(hiddenDim * rank, 6, 1 / Math.sqrt(hiddenDim));
  const b2 = new Float32Array(rank * outputDim);
  params = [a1, b1, a2, b2];
  const bytes = (w: Int4Matrix) =>
    w.packed.byteLength + w.scales.byteLength + (w.zeroPoints?.byteLength ?? 0);
  weightBytes = bytes(w1) + bytes(w2);
  trainableBytes = params.reduce((s, p) => s + p.byteLength, 0);
  forward = () => {
    k.matmulInt4(x, batch, w1, { a: a1, b: b1, rank, scale: 2 }, hidden);
    for (let i = 0; i < hidden.length; i++) hidden[i] = Math.tanh(hidden[i]!);
    k.matmulInt4(hidden, batch, w2, { a: a2, b: b2, rank, scale: 2 }, output);
    return mse();
  };
} else {
  const w1 = gaussian(inputDim * hiddenDim, 1, 1 / Math.sqrt(inputDim));
  const w2 = gaussian(hiddenDim * outputDim, 2, 1 / Math.sqrt(hiddenDim));
  params = [w1, w2];
  weightBytes = w1.byteLength + w2.byteLength;
  trainableBytes = weightBytes;
  forward = () => {
    matmul(x, w1, batch, inputDim, hiddenDim, hidden);
    for (let i = 0; i < hidden.length; i++) hidden[i] = Math.tanh(hidden[i]!);
    matmul(hidden, w2, batch, hiddenDim, outputDim, output);
    return mse();
  };
}

/** Backprop of the fp32 MLP and Adam: one gradient and two moment buffers per weight. */
function adamSteps(): number[] {
  const [w1, w2] = params as [Float32Array, Float32Array];
  const g1 = new Float32Array(w1.length);
  const g2 = new Float32Array(w2.length);
  const moments = [w1, w1, w2, w2].map((w) => new Float32Array(w.length));
  const dOut = new Float32Array(output.length);
  const dHidden = new Float32Array(hidden.length);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(forward());
    for (let i = 0; i < output.length; i++) dOut[i] = (output[i]! - target[i]!) / output.length;
    g2.fill(0);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < hiddenDim; h++) {
        const hv = hidden[b * hiddenDim + h]!;
        let dh = 0;
        for (let j = 0; j < outputDim; j++) {
          const d = dOut[b * outputDim + j]!;
          g2[h * outputDim + j]! += hv * d;
          dh += d * w2[h * outputDim + j]!;
        }
        dHidden[b * hiddenDim + h] = dh * (1 - hv * hv);
      }
    }
    g1.fill(0);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < inputDim; i++) {
        const xv = x[b * inputDim + i]!;
        for (let h = 0; h < hiddenDim; h++) g1[i * hiddenDim + h]! += xv * dHidden[b * hiddenDim + h]!;
      }
    }
    const groups = [
      [w1, g1, moments[0]!, moments[1]!],
      [w2, g2, moments[2]!, moments[3]!],
    ] as const;
    for (const [w, g, m, v] of groups) {
      for (let i = 0; i < w.length; i++) {
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! * g[i]!;
        w[i]! -= (1e-4 * m[i]!) / (Math.sqrt(v[i]!) + 1e-8);
      }
    }
    sample();
  }
  return losses;
}

/**
 * Resets the kernel's peak-RSS counter (VmHWM) so building the model (quantization temporaries)
 * does not count; returns false where /proc/self/clear_refs is not writable.
 */
async function resetPeakRss(): Promise<boolean> {
  // Collect the model-building temporaries; ArrayBuffer stores are released by a later sweep, so
  // collect again after yielding to the event loop.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc?.();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const peakReset = await resetPeakRss();
  peakArrayBuffers = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let losses: number[] = [];
  let ledgerEntries = 0;
  let scratchBytes = 0;
  if (mode === 'forward') {
    for (let s = 0; s < 2 * steps; s++) losses.push(forward());
  } else if (mode === 'quzo') {
    const opt = new QuZOOptimizer({
      params,
      lr: 1e-4,
      eps: 1e-3,
      perturbBits: 4,
      gradBits: 8,
      directions: 1,
      seed: 1,
      kernels: k,
    });
    for (let s = 0; s < steps; s++) {
      const r = await opt.step(forward);
      losses.push(r.loss);
      ledgerEntries = Math.max(ledgerEntries, r.ledgerEntries);
      sample();
    }
    scratchBytes = opt.scratchBytes;
  } else if (mode === 'adam' && model === 'fp32-full') {
    losses = adamSteps();
  } else {
    throw new Error(`unknown model/mode ${model}/${mode}`);
  }
  sample();
  console.log(
    JSON.stringify({
      model,
      mode,
      backend: k.backend,
      weightBytes,
      trainableBytes,
      peakRssBytes: peakRssBytes(),
      peakReset,
      peakArrayBufferBytes: peakArrayBuffers,
      seconds: (performance.now() - t0) / 1000,
      ledgerEntries,
      scratchBytes,
      losses,
    }),
  );
}

void main();
