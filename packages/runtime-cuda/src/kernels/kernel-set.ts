/**
 * The kernel interface every backend implements (TypeScript reference, native C++ CPU, CUDA).
 * Kernels are stateless functions over caller-owned typed arrays; the same inputs give the same
 * bits on every backend except the 4-bit matmul, whose summation order differs (agreement ~1e-6).
 *
 * Element addressing: a kernel that takes `offset` treats `params[0]` as element `offset` of the
 * tensor's noise stream, so callers may process a large tensor in chunks (subarrays) and get the
 * same numbers as one call over the whole tensor.
 */
import type { Quantizer } from './noise';

export type KernelBackend = 'typescript' | 'cpu' | 'cuda';

/** One tensor's noise: the Gaussian stream (seed, tensor) and, for QuZO, its SR quantizer. */
export interface NoiseSpec {
  /** uint32 seed of this direction. */
  seed: number;
  /** uint32 stream id (the tensor's ordinal). */
  tensor: number;
  /** Quantizer of the perturbation (QuZO); null = full-precision Gaussian (MeZO). */
  quantizer: Quantizer | null;
}

/** One direction's contribution to an update: theta -= lr * (coefficient * u2 + ...). */
export interface UpdateDirection {
  seed: number;
  /** Projected gradient of this direction divided by the number of directions. */
  coefficient: number;
  /** Quantizer for the update's own SR draw (same range as the perturbation); null = MeZO. */
  quantizer: Quantizer | null;
}

/** A 4-bit block-quantized weight W [k, n] in onnxruntime MatMulNBits order (see int4-matrix.ts). */
export interface Int4Matrix {
  k: number;
  n: number;
  blockSize: number;
  /** n * ceil(k / 2) bytes: row j holds column j of W, two codes per byte, low nibble first. */
  packed: Uint8Array;
  /** n * ceil(k / blockSize) scales. */
  scales: Float32Array;
  /** n * ceil(k / blockSize) zero points in 0..15 (one per byte); omitted = 8. */
  zeroPoints?: Uint8Array;
}

/** LoRA term of a 4-bit linear layer: scale * (x A) B with A [k, rank], B [rank, n], row-major. */
export interface LoraTerm {
  a: Float32Array;
  b: Float32Array;
  rank: number;
  scale: number;
}

/** Result of SR-quantizing a buffer: the asymmetric quantizer it used and the input range. */
export interface QuantizeResult extends Quantizer {
  min: number;
  max: number;
}

export interface KernelSet {
  readonly backend: KernelBackend;
  /** out[i] = z(seed, tensor, offset + i), standard normal float32 values. */
  gaussian(out: Float32Array, seed: number, tensor: number, offset: number): void;
  /** Minimum and maximum of z(seed, tensor, i) over i in [0, length): the perturbation quantizer's range. */
  gaussianRange(seed: number, tensor: number, length: number): { min: number; max: number };
  /**
   * Stochastic rounding of `input` to `bits` (asymmetric, per buffer) into `output` (dequantized
   * values); uniforms come from (seed, stream). `codes`, when given, receives the integer codes.
   */
  stochasticRound(
    input: Float32Array,
    output: Float32Array,
    bits: number,
    seed: number,
    stream: number,
    codes?: Uint8Array,
  ): QuantizeResult;
  /**
   * theta -> theta + eps u in place. float32 addition is not invertible, so for each element the
   * kernel records how to get theta back exactly: one bit in `hints` (bit i & 7 of byte i >> 3,
   * chunk-local) when theta is fl(x - d) or its neighbour on the side of the rounding error, and an
   * entry in the ledger (absolute index, original value) for the rare elements where a bit is not
   * enough. Returns the number of ledger entries; the ledger arrays need room for params.length.
   */
  perturbPlus(
    params: Float32Array,
    offset: number,
    noise: NoiseSpec,
    eps: number,
    hints: Uint8Array,
    ledgerIndex: Uint32Array,
    ledgerValue: Float32Array,
  ): number;
  /** theta + eps u -> theta - eps u in place, exact given this range's hints and ledger entries. */
  perturbMinus(
    params: Float32Array,
    offset: number,
    noise: NoiseSpec,
    eps: number,
    hints: Uint8Array,
    ledgerIndex: Uint32Array,
    ledgerValue: Float32Array,
    ledgerCount: number,
  ): void;
  /** theta - eps u -> theta, bit-identical to the values before perturbPlus. */
  perturbRestore(
    params: Float32Array,
    offset: number,
    noise: NoiseSpec,
    eps: number,
    hints: Uint8Array,
    ledgerIndex: Uint32Array,
    ledgerValue: Float32Array,
    ledgerCount: number,
  ): void;
  /**
   * theta <- theta - lr * (sum_j coefficient_j u2_j + weightDecay theta), all directions fused in
   * one pass; u2_j is the Gaussian of (seed_j, tensor), SR-quantized with the update's own draw.
   */
  update(
    params: Float32Array,
    offset: number,
    tensor: number,
    directions: readonly UpdateDirection[],
    lr: number,
    weightDecay: number,
  ): void;
  /** out [m, n] = x [m, k] dequant(W) + lora.scale (x A) B. */
  matmulInt4(x: Float32Array, m: number, w: Int4Matrix, lora: LoraTerm | null, out: Float32Array): void;
}
