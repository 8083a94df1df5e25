/**
 * The TypeScript kernels: the reference every other backend is tested against, and the path that
 * keeps every feature working when the native addon is not built. Hot loops work a Philox block
 * (one pair of elements) at a time with preallocated scratch, never allocating per element.
 */
import { int4RowBytes } from './int4-matrix';
import type {
  Int4Matrix,
  KernelSet,
  LoraTerm,
  NoiseSpec,
  QuantizeResult,
  UpdateDirection,
} from './kernel-set';
import {
  boxMuller,
  DOMAIN_DATA_ROUNDING,
  DOMAIN_GAUSSIAN,
  DOMAIN_UPDATE_ROUNDING,
  quantizerFor,
  stochasticRoundValue,
  UPDATE_SUBSEED_XOR,
  unitFromWord,
} from './noise';
import { philox4x32 } from './philox';

const words = new Uint32Array(4);
const roundingWords = new Uint32Array(4);
const pairValues = new Float64Array(2);

/** Bitwise float equality: distinguishes -0 from +0, and NaN is never equal (so it is ledgered). */
function sameBits(x: number, a: number): boolean {
  return x === a && (x !== 0 || 1 / x === 1 / a);
}

/** Fills pairValues with the two perturbation values u of pair `pair` and leaves the SR words in `words`. */
function perturbationPair(pair: number, noise: NoiseSpec): void {
  philox4x32(pair, Math.floor(pair / 4294967296), DOMAIN_GAUSSIAN, 0, noise.seed, noise.tensor, words);
  boxMuller(words[0]!, words[1]!, pairValues);
  const q = noise.quantizer;
  if (q !== null) {
    pairValues[0] = stochasticRoundValue(pairValues[0]!, q, unitFromWord(words[2]!));
    pairValues[1] = stochasticRoundValue(pairValues[1]!, q, unitFromWord(words[3]!));
  }
}

/** The float32 perturbation eps * u of one element (used by the sparse ledger fix-ups). */
function deltaAt(index: number, noise: NoiseSpec, eps: number): number {
  perturbationPair(Math.floor(index / 2), noise);
  return Math.fround(pairValues[index & 1]! * eps);
}

function gaussian(out: Float32Array, seed: number, tensor: number, offset: number): void {
  let cached = -1;
  for (let i = 0; i < out.length; i++) {
    const g = offset + i;
    const pair = Math.floor(g / 2);
    if (pair !== cached) {
      cached = pair;
      philox4x32(pair, Math.floor(pair / 4294967296), DOMAIN_GAUSSIAN, 0, seed, tensor, words);
      boxMuller(words[0]!, words[1]!, pairValues);
    }
    out[i] = pairValues[g & 1]!;
  }
}

function gaussianRange(seed: number, tensor: number, length: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const pairs = Math.ceil(length / 2);
  for (let pair = 0; pair < pairs; pair++) {
    philox4x32(pair, Math.floor(pair / 4294967296), DOMAIN_GAUSSIAN, 0, seed, tensor, words);
    boxMuller(words[0]!, words[1]!, pairValues);
    const z0 = pairValues[0]!;
    if (z0 < min) min = z0;
    if (z0 > max) max = z0;
    if (2 * pair + 1 < length) {
      const z1 = pairValues[1]!;
      if (z1 < min) min = z1;
      if (z1 > max) max = z1;
    }
  }
  return { min, max };
}

function stochasticRound(
  input: Float32Array,
  output: Float32Array,
  bits: number,
  seed: number,
  stream: number,
  codes?: Uint8Array,
): QuantizeResult {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < input.length; i++) {
    const v = input[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const q = quantizerFor(min, max, bits);
  let cached = -1;
  for (let i = 0; i < input.length; i++) {
    const block = Math.floor(i / 4);
    if (block !== cached) {
      cached = block;
      philox4x32(block, Math.floor(block / 4294967296), DOMAIN_DATA_ROUNDING, 0, seed, stream, words);
    }
    const x = input[i]!;
    if (q.scale === 0) {
      output[i] = x;
      if (codes) codes[i] = 0;
      continue;
    }
    const t = x * q.scale;
    const fl = Math.floor(t);
    let code = fl + (unitFromWord(words[i & 3]!) < t - fl ? 1 : 0) + q.zeroPoint;
    if (code < 0) code = 0;
    else if (code > q.levels) code = q.levels;
    output[i] = (code - q.zeroPoint) / q.scale;
    if (codes) codes[i] = code;
  }
  return { ...q, min, max };
}

function perturbPlus(
  params: Float32Array,
  offset: number,
  noise: NoiseSpec,
  eps: number,
  ledgerIndex: Uint32Array,
  ledgerValue: Float32Array,
): number {
  let count = 0;
  let cached = -1;
  for (let i = 0; i < params.length; i++) {
    const g = offset + i;
    const pair = Math.floor(g / 2);
    if (pair !== cached) {
      cached = pair;
      perturbationPair(pair, noise);
    }
    const d = Math.fround(pairValues[g & 1]! * eps);
    const a = params[i]!;
    const plus = Math.fround(a + d);
    const minus = Math.fround(a - d);
    if (!sameBits(Math.fround(plus - d), a) || !sameBits(Math.fround(minus + d), a)) {
      ledgerIndex[count] = g;
      ledgerValue[count] = a;
      count++;
    }
    params[i] = plus;
  }
  return count;
}

function perturbMinus(
  params: Float32Array,
  offset: number,
  noise: NoiseSpec,
  eps: number,
  ledgerIndex: Uint32Array,
  ledgerValue: Float32Array,
  ledgerCount: number,
): void {
  let cached = -1;
  for (let i = 0; i < params.length; i++) {
    const g = offset + i;
    const pair = Math.floor(g / 2);
    if (pair !== cached) {
      cached = pair;
      perturbationPair(pair, noise);
    }
    const d = Math.fround(pairValues[g & 1]! * eps);
    params[i] = Math.fround(Math.fround(params[i]! - d) - d);
  }
  for (let e = 0; e < ledgerCount; e++) {
    const g = ledgerIndex[e]!;
    params[g - offset] = Math.fround(ledgerValue[e]! - deltaAt(g, noise, eps));
  }
}

function perturbRestore(
  params: Float32Array,
  offset: number,
  noise: NoiseSpec,
  eps: number,
  ledgerIndex: Uint32Array,
  ledgerValue: Float32Array,
  ledgerCount: number,
): void {
  let cached = -1;
  for (let i = 0; i < params.length; i++) {
    const g = offset + i;
    const pair = Math.floor(g / 2);
    if (pair !== cached) {
      cached = pair;
      perturbationPair(pair, noise);
    }
    params[i] = Math.fround(params[i]! + Math.fround(pairValues[g & 1]! * eps));
  }
  for (let e = 0; e < ledgerCount; e++) params[ledgerIndex[e]! - offset] = ledgerValue[e]!;
}

function update(
  params: Float32Array,
  offset: number,
  tensor: number,
  directions: readonly UpdateDirection[],
  lr: number,
  weightDecay: number,
): void {
  let cached = -1;
  let acc0 = 0;
  let acc1 = 0;
  for (let i = 0; i < params.length; i++) {
    const g = offset + i;
    const pair = Math.floor(g / 2);
    if (pair !== cached) {
      cached = pair;
      acc0 = 0;
      acc1 = 0;
      const pairHi = Math.floor(pair / 4294967296);
      for (const dir of directions) {
        philox4x32(pair, pairHi, DOMAIN_GAUSSIAN, 0, dir.seed, tensor, words);
        boxMuller(words[0]!, words[1]!, pairValues);
        let u0 = pairValues[0]!;
        let u1 = pairValues[1]!;
        const q = dir.quantizer;
        if (q !== null) {
          philox4x32(
            pair,
            pairHi,
            DOMAIN_UPDATE_ROUNDING,
            0,
            dir.seed ^ UPDATE_SUBSEED_XOR,
            tensor,
            roundingWords,
          );
          u0 = stochasticRoundValue(u0, q, unitFromWord(roundingWords[0]!));
          u1 = stochasticRoundValue(u1, q, unitFromWord(roundingWords[1]!));
        }
        acc0 = acc0 + dir.coefficient * u0;
        acc1 = acc1 + dir.coefficient * u1;
      }
    }
    const a = params[i]!;
    const acc = (g & 1) === 0 ? acc0 : acc1;
    params[i] = Math.fround(a - lr * (acc + weightDecay * a));
  }
}

function matmulInt4(
  x: Float32Array,
  m: number,
  w: Int4Matrix,
  lora: LoraTerm | null,
  out: Float32Array,
): void {
  const { k, n, blockSize } = w;
  const blocks = Math.ceil(k / blockSize);
  const rowBytes = int4RowBytes(k, blockSize);
  const loraHidden = lora ? new Float64Array(lora.rank) : null;
  for (let r = 0; r < m; r++) {
    const xBase = r * k;
    if (lora && loraHidden) {
      for (let q = 0; q < lora.rank; q++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += x[xBase + kk]! * lora.a[kk * lora.rank + q]!;
        loraHidden[q] = s;
      }
    }
    for (let j = 0; j < n; j++) {
      let acc = 0;
      const rowBase = j * rowBytes;
      for (let b = 0; b < blocks; b++) {
        const scale = w.scales[j * blocks + b]!;
        const zero = w.zeroPoints ? w.zeroPoints[j * blocks + b]! : 8;
        const start = b * blockSize;
        const end = Math.min(k, start + blockSize);
        let blockSum = 0;
        for (let kk = start; kk < end; kk++) {
          const byte = w.packed[rowBase + (kk >> 1)]!;
          const code = (kk & 1) === 0 ? byte & 0x0f : byte >> 4;
          blockSum += x[xBase + kk]! * (code - zero);
        }
        acc += scale * blockSum;
      }
      if (lora && loraHidden) {
        let l = 0;
        for (let q = 0; q < lora.rank; q++) l += loraHidden[q]! * lora.b[q * n + j]!;
        acc += lora.scale * l;
      }
      out[r * n + j] = acc;
    }
  }
}

/** The TypeScript reference kernels (always available). */
export const typescriptKernels: KernelSet = {
  backend: 'typescript',
  gaussian,
  gaussianRange,
  stochasticRound,
  perturbPlus,
  perturbMinus,
  perturbRestore,
  update,
  matmulInt4,
};
