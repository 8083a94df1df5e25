/**
 * 4-bit linear layers as onnxruntime's `MatMulNBits` (com.microsoft): the weight W [K, N] is stored
 * transposed as N rows of K codes, in blocks of `blockSize` along K, each block with its own float
 * scale and 4-bit zero point: W[k, n] = (code[n, k] - zero[n, k / blockSize]) * scale[n, k / blockSize].
 * Two codes per byte, low nibble first. `accuracyLevel: 0` keeps activations in float32 (it matches
 * a dequantized reference to ~1e-7); level 4 quantizes activations to int8 (~1e-3 error) for speed.
 */
import type { OnnxGraphBuilder } from './graph-builder';
import { OnnxGraphError } from './onnx-graph-error';
import type { OnnxTensor } from './tensor-types';

/** Quantized codes of one weight in MatMulNBits order (see the module comment). */
export interface MatMulNBitsWeights {
  /** Input features (rows of W). */
  k: number;
  /** Output features (columns of W). */
  n: number;
  /** Block length along K; a power of two >= 16 (32 is the common choice). */
  blockSize: number;
  /** N * K codes in 0..15, row n holding column n of W (i.e. W transposed). */
  codes: Uint8Array;
  /** N * ceil(K / blockSize) scales, block-major within each row n. */
  scales: Float32Array;
  /** N * ceil(K / blockSize) zero points in 0..15; omitted means 8 (symmetric). */
  zeroPoints?: Uint8Array;
}

/** The three initializer tensors MatMulNBits reads. */
export interface PackedMatMulNBits {
  b: OnnxTensor;
  scales: OnnxTensor;
  zeroPoints?: OnnxTensor;
  k: number;
  n: number;
  blockSize: number;
}

function blocksOf(w: { k: number; blockSize: number }): number {
  return Math.ceil(w.k / w.blockSize);
}

function validate(w: MatMulNBitsWeights): void {
  const { k, n, blockSize } = w;
  if (!Number.isInteger(k) || !Number.isInteger(n) || k <= 0 || n <= 0) {
    throw new OnnxGraphError(`MatMulNBits: k and n must be positive integers, got k=${k}, n=${n}`);
  }
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new OnnxGraphError(`MatMulNBits: blockSize must be a power of two >= 16, got ${blockSize}`);
  }
  const blocks = blocksOf(w);
  if (w.codes.length !== n * k) {
    throw new OnnxGraphError(`MatMulNBits: codes must hold n*k = ${n * k} values, got ${w.codes.length}`);
  }
  if (w.scales.length !== n * blocks) {
    throw new OnnxGraphError(
      `MatMulNBits: scales must hold n*blocks = ${n * blocks}, got ${w.scales.length}`,
    );
  }
  if (w.zeroPoints && w.zeroPoints.length !== n * blocks) {
    throw new OnnxGraphError(
      `MatMulNBits: zeroPoints must hold n*blocks = ${n * blocks}, got ${w.zeroPoints.length}`,
    );
  }
  for (const c of w.codes) if (c > 15) throw new OnnxGraphError(`MatMulNBits: a code is ${c}, outside 0..15`);
  if (w.zeroPoints) {
    for (const z of w.zeroPoints) {
      if (z > 15) throw new OnnxGraphError(`MatMulNBits: a zero point is ${z}, outside 0..15`);
    }
  }
}

/** Packs codes, scales and zero points into MatMulNBits' tensors (padding the last block with zeros). */
export function packMatMulNBits(w: MatMulNBitsWeights): PackedMatMulNBits {
  validate(w);
  const { k, n, blockSize } = w;
  const blocks = blocksOf(w);
  const blobSize = blockSize / 2;
  const b = new Uint8Array(n * blocks * blobSize);
  for (let row = 0; row < n; row++) {
    const src = row * k;
    const dst = row * blocks * blobSize;
    for (let i = 0; i < k; i++) {
      const code = w.codes[src + i]!;
      b[dst + (i >> 1)]! |= i & 1 ? code << 4 : code;
    }
  }
  const packed: PackedMatMulNBits = {
    b: { type: 'uint8', dims: [n, blocks, blobSize], data: b },
    scales: { type: 'float32', dims: [n * blocks], data: w.scales },
    k,
    n,
    blockSize,
  };
  if (w.zeroPoints) {
    const perRow = Math.ceil(blocks / 2);
    const zp = new Uint8Array(n * perRow);
    for (let row = 0; row < n; row++) {
      for (let j = 0; j < blocks; j++) {
        zp[row * perRow + (j >> 1)]! |=
          j & 1 ? w.zeroPoints[row * blocks + j]! << 4 : w.zeroPoints[row * blocks + j]!;
      }
    }
    packed.zeroPoints = { type: 'uint8', dims: [n * perRow], data: zp };
  }
  return packed;
}

/**
 * Emits `output = input @ W` as one MatMulNBits node (initializers named `<name>.qweight`,
 * `<name>.scales`, `<name>.zero_points`). `input` is float32 [..., K]; returns the output name.
 */
export function addMatMulNBits(
  builder: OnnxGraphBuilder,
  input: string,
  packed: PackedMatMulNBits,
  options: { name: string; output?: string; accuracyLevel?: 0 | 1 | 2 | 3 | 4 },
): string {
  const { name } = options;
  const inputs = [
    input,
    builder.initializer(`${name}.qweight`, packed.b),
    builder.initializer(`${name}.scales`, packed.scales),
  ];
  if (packed.zeroPoints) inputs.push(builder.initializer(`${name}.zero_points`, packed.zeroPoints));
  const output = options.output ?? builder.uniqueName(`${name}.out`);
  builder.node(
    'MatMulNBits',
    inputs,
    [output],
    {
      K: packed.k,
      N: packed.n,
      bits: 4,
      block_size: packed.blockSize,
      accuracy_level: options.accuracyLevel ?? 0,
    },
    'com.microsoft',
  );
  return output;
}

/** The float weight W [K, N] (row-major) that MatMulNBits computes with: the reference for tests. */
export function dequantizeMatMulNBits(w: MatMulNBitsWeights): Float32Array {
  validate(w);
  const { k, n, blockSize } = w;
  const blocks = blocksOf(w);
  const out = new Float32Array(k * n);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < k; i++) {
      const block = row * blocks + Math.floor(i / blockSize);
      const zero = w.zeroPoints ? w.zeroPoints[block]! : 8;
      out[i * n + row] = (w.codes[row * k + i]! - zero) * w.scales[block]!;
    }
  }
  return out;
}

/**
 * Plain round-to-nearest 4-bit quantization (per-block min/max, asymmetric) of W [K, N] row-major.
 * It is the baseline the quantization module's better methods are compared with, and what tests use.
 */
export function quantizeMatMulNBitsRtn(
  weight: Float32Array,
  k: number,
  n: number,
  blockSize = 32,
): MatMulNBitsWeights {
  if (weight.length !== k * n) {
    throw new OnnxGraphError(`quantizeMatMulNBitsRtn: weight has ${weight.length} values, k*n = ${k * n}`);
  }
  const blocks = Math.ceil(k / blockSize);
  const codes = new Uint8Array(n * k);
  const scales = new Float32Array(n * blocks);
  const zeroPoints = new Uint8Array(n * blocks);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < blocks; j++) {
      const start = j * blockSize;
      const end = Math.min(k, start + blockSize);
      let lo = 0;
      let hi = 0;
      for (let i = start; i < end; i++) {
        const v = weight[i * n + row]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      // The range always includes 0 so that zero weights stay exactly zero.
      const scale = hi - lo > 0 ? (hi - lo) / 15 : 1;
      const zero = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      scales[row * blocks + j] = scale;
      zeroPoints[row * blocks + j] = zero;
      for (let i = start; i < end; i++) {
        const q = Math.round(weight[i * n + row]! / scale) + zero;
        codes[row * k + i] = Math.min(15, Math.max(0, q));
      }
    }
  }
  return { k, n, blockSize, codes, scales, zeroPoints };
}
