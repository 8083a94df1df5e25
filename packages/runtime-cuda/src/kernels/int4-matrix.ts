/**
 * 4-bit block-quantized weights in onnxruntime MatMulNBits layout, so one buffer serves the native
 * kernels and an ONNX graph: W [k, n] is stored as n rows (one per output column) of
 * ceil(k / blockSize) blocks of blockSize / 2 bytes, two codes per byte, low nibble first, and
 * W[kk, j] = (code - zero[j, b]) * scale[j, b] with b = floor(kk / blockSize).
 */

import { KernelError } from './kernel-error';
import type { Int4Matrix } from './kernel-set';

/** Bytes of one packed row (one output column), padded to whole blocks as MatMulNBits expects. */
export function int4RowBytes(k: number, blockSize: number): number {
  return Math.ceil(k / blockSize) * (blockSize / 2);
}

function checkShape(k: number, n: number, blockSize: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k <= 0 || n <= 0) {
    throw new KernelError(`int4 matrix: k and n must be positive integers, got k=${k}, n=${n}`);
  }
  if (blockSize < 2 || (blockSize & (blockSize - 1)) !== 0) {
    throw new KernelError(`int4 matrix: blockSize must be a power of two >= 2, got ${blockSize}`);
  }
}

/**
 * Round-to-nearest 4-bit quantization of a row-major W [k, n] with asymmetric per-block min/max
 * (zero point per block), the layout MatMulNBits reads.
 */
export function quantizeInt4(weights: Float32Array, k: number, n: number, blockSize = 32): Int4Matrix {
  checkShape(k, n, blockSize);
  if (weights.length !== k * n) {
    throw new KernelError(`quantizeInt4: weights must hold k*n = ${k * n} values, got ${weights.length}`);
  }
  const blocks = Math.ceil(k / blockSize);
  const rowBytes = int4RowBytes(k, blockSize);
  const packed = new Uint8Array(n * rowBytes);
  const scales = new Float32Array(n * blocks);
  const zeroPoints = new Uint8Array(n * blocks);
  for (let j = 0; j < n; j++) {
    for (let b = 0; b < blocks; b++) {
      const start = b * blockSize;
      const end = Math.min(k, start + blockSize);
      let lo = 0;
      let hi = 0;
      for (let kk = start; kk < end; kk++) {
        const v = weights[kk * n + j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = hi > lo ? (hi - lo) / 15 : 1;
      const zero = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      scales[j * blocks + b] = scale;
      zeroPoints[j * blocks + b] = zero;
      for (let kk = start; kk < end; kk++) {
        const code = Math.min(15, Math.max(0, Math.round(weights[kk * n + j]! / scale) + zero));
        const at = j * rowBytes + (kk >> 1);
        packed[at] = (kk & 1) === 0 ? (packed[at]! & 0xf0) | code : (packed[at]! & 0x0f) | (code << 4);
      }
    }
  }
  return { k, n, blockSize, packed, scales, zeroPoints };
}

/** Packs one-code-per-byte MatMulNBits codes (n rows of k codes) into the nibble layout. */
export function int4FromCodes(w: {
  k: number;
  n: number;
  blockSize: number;
  codes: Uint8Array;
  scales: Float32Array;
  zeroPoints?: Uint8Array;
}): Int4Matrix {
  checkShape(w.k, w.n, w.blockSize);
  if (w.codes.length !== w.k * w.n) {
    throw new KernelError(`int4FromCodes: codes must hold k*n = ${w.k * w.n} values, got ${w.codes.length}`);
  }
  const rowBytes = int4RowBytes(w.k, w.blockSize);
  const packed = new Uint8Array(w.n * rowBytes);
  for (let j = 0; j < w.n; j++) {
    for (let kk = 0; kk < w.k; kk++) {
      const code = w.codes[j * w.k + kk]! & 0x0f;
      const at = j * rowBytes + (kk >> 1);
      packed[at] = packed[at]! | ((kk & 1) === 0 ? code : code << 4);
    }
  }
  const out: Int4Matrix = { k: w.k, n: w.n, blockSize: w.blockSize, packed, scales: w.scales };
  if (w.zeroPoints) out.zeroPoints = w.zeroPoints;
  return out;
}

/** Dequantizes to a row-major float32 W [k, n] (for references and tests). */
export function dequantizeInt4(w: Int4Matrix): Float32Array {
  const { k, n, blockSize } = w;
  const blocks = Math.ceil(k / blockSize);
  const rowBytes = int4RowBytes(k, blockSize);
  const out = new Float32Array(k * n);
  for (let j = 0; j < n; j++) {
    for (let kk = 0; kk < k; kk++) {
      const byte = w.packed[j * rowBytes + (kk >> 1)]!;
      const code = (kk & 1) === 0 ? byte & 0x0f : byte >> 4;
      const b = Math.floor(kk / blockSize);
      const zero = w.zeroPoints ? w.zeroPoints[j * blocks + b]! : 8;
      out[kk * n + j] = (code - zero) * w.scales[j * blocks + b]!;
    }
  }
  return out;
}

/** Checks an Int4Matrix's buffer sizes; throws a KernelError naming the first mismatch. */
export function validateInt4(w: Int4Matrix): void {
  checkShape(w.k, w.n, w.blockSize);
  const blocks = Math.ceil(w.k / w.blockSize);
  const wantPacked = w.n * int4RowBytes(w.k, w.blockSize);
  if (w.packed.length !== wantPacked) {
    throw new KernelError(`int4 matrix: packed must hold ${wantPacked} bytes, got ${w.packed.length}`);
  }
  if (w.scales.length !== w.n * blocks) {
    throw new KernelError(`int4 matrix: scales must hold ${w.n * blocks} values, got ${w.scales.length}`);
  }
  if (w.zeroPoints && w.zeroPoints.length !== w.n * blocks) {
    throw new KernelError(
      `int4 matrix: zeroPoints must hold ${w.n * blocks} values, got ${w.zeroPoints.length}`,
    );
  }
}
