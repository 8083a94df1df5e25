/**
 * Round-to-nearest 4-bit quantization, the baseline every other method here is measured against.
 * A weight W [K, N] (y = x W, ONNX MatMul order) is quantized per output column n, over groups of
 * `groupSize` consecutive input rows (block-wise), or over all of K (`'channel'`). Codes are kept
 * in MatMulNBits order (row n of the codes is column n of W), so emission is a repack, not a copy.
 *
 *   symmetric:  scale = max|w| / 7,            zero = 8
 *   asymmetric: scale = (max - min) / 15,      zero = round(-min / scale)   (range widened to hold 0)
 *   code = clamp(round(w / scale) + zero, 0, 15),  w' = (code - zero) * scale
 *
 * The asymmetric range always contains 0, so a zero weight dequantizes to exactly 0: SplitQuantV2's
 * sub-layers rely on that to add up to the original layer.
 */
import { QuantError } from './quant-error';

export interface QuantizedWeight {
  /** Input features (rows of W). */
  k: number;
  /** Output features (columns of W). */
  n: number;
  bits: 4;
  /** Rows of W sharing one scale within a column; K for per-channel. */
  groupSize: number;
  symmetric: boolean;
  /** N x K codes, row n = column n of W. */
  codes: Uint8Array;
  /** N x groups scales, groups = ceil(K / groupSize). PEQA trains these and nothing else. */
  scales: Float32Array;
  /** N x groups zero points (all 8 when symmetric). Frozen. */
  zeroPoints: Uint8Array;
}

export interface RtnOptions {
  /** Rows per scale along K (a power of two >= 16 keeps MatMulNBits usable), or `'channel'`. Default 32. */
  groupSize?: number | 'channel';
  /** Default false (asymmetric, with a zero point per group). */
  symmetric?: boolean;
}

export function groupsOf(w: { k: number; groupSize: number }): number {
  return Math.ceil(w.k / w.groupSize);
}

export function resolveGroupSize(k: number, groupSize: number | 'channel' | undefined): number {
  const g = groupSize === 'channel' ? k : (groupSize ?? 32);
  if (!Number.isInteger(g) || g < 1) {
    throw new QuantError(`groupSize must be a positive integer or 'channel', got ${String(groupSize)}`);
  }
  return Math.min(g, k);
}

export function checkWeight(weight: ArrayLike<number>, k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k <= 0 || n <= 0) {
    throw new QuantError(`${what}: k and n must be positive integers, got k=${k}, n=${n}`);
  }
  if (weight.length !== k * n) {
    throw new QuantError(
      `${what}: the weight has ${weight.length} values but k x n = ${k} x ${n} = ${k * n}`,
    );
  }
  for (let i = 0; i < weight.length; i++) {
    if (!Number.isFinite(weight[i] as number)) {
      throw new QuantError(
        `${what}: the weight holds a non-finite value at index ${i}; fix the weights first`,
      );
    }
  }
}

/** Round-to-nearest 4-bit quantization of W [K, N] (row-major). */
export function quantizeRtn(
  weight: Float32Array,
  k: number,
  n: number,
  options: RtnOptions = {},
): QuantizedWeight {
  checkWeight(weight, k, n, 'quantizeRtn');
  const groupSize = resolveGroupSize(k, options.groupSize);
  const symmetric = options.symmetric ?? false;
  const groups = Math.ceil(k / groupSize);
  const codes = new Uint8Array(n * k);
  const scales = new Float32Array(n * groups);
  const zeroPoints = new Uint8Array(n * groups);
  for (let col = 0; col < n; col++) {
    for (let g = 0; g < groups; g++) {
      const start = g * groupSize;
      const end = Math.min(k, start + groupSize);
      let lo = 0;
      let hi = 0;
      for (let i = start; i < end; i++) {
        const v = weight[i * n + col] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      let scale: number;
      let zero: number;
      if (symmetric) {
        const absMax = Math.max(-lo, hi);
        scale = absMax > 0 ? absMax / 7 : 1;
        zero = 8;
      } else {
        scale = hi > lo ? (hi - lo) / 15 : 1;
        zero = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      }
      // Stored as float32: quantize against the stored value so codes and scale agree exactly.
      scale = Math.fround(scale);
      scales[col * groups + g] = scale;
      zeroPoints[col * groups + g] = zero;
      for (let i = start; i < end; i++) {
        const q = Math.round((weight[i * n + col] as number) / scale) + zero;
        codes[col * k + i] = q < 0 ? 0 : q > 15 ? 15 : q;
      }
    }
  }
  return { k, n, bits: 4, groupSize, symmetric, codes, scales, zeroPoints };
}

/**
 * W' [K, N] = (code - zero) * scale, written into `out` (added to it when `accumulate`). The
 * scales are read live, so scale fine-tuning calls this after every change of `q.scales`.
 */
export function dequantizeInto(q: QuantizedWeight, out: Float32Array, accumulate = false): Float32Array {
  const { k, n, groupSize, codes, scales, zeroPoints } = q;
  if (out.length !== k * n)
    throw new QuantError(`dequantizeInto: out must hold ${k * n} values, got ${out.length}`);
  const groups = groupsOf(q);
  if (!accumulate) out.fill(0);
  for (let col = 0; col < n; col++) {
    for (let g = 0; g < groups; g++) {
      const scale = scales[col * groups + g] as number;
      const zero = zeroPoints[col * groups + g] as number;
      const end = Math.min(k, (g + 1) * groupSize);
      for (let i = g * groupSize; i < end; i++)
        out[i * n + col]! += ((codes[col * k + i] as number) - zero) * scale;
    }
  }
  return out;
}

export function dequantize(q: QuantizedWeight): Float32Array {
  return dequantizeInto(q, new Float32Array(q.k * q.n));
}

/** Storage of the 4-bit form: packed codes, float32 scales, packed zero points (none when symmetric). */
export function quantizedBytes(q: QuantizedWeight): number {
  const groups = groupsOf(q);
  const codeBytes = q.n * Math.ceil(q.k / 2);
  const zeroBytes = q.symmetric ? 0 : q.n * Math.ceil(groups / 2);
  return codeBytes + 4 * q.n * groups + zeroBytes;
}
