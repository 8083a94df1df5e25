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
    const t = x * q.scale + q.zeroPoint;
    const fl = Math.floor(t);
    let code = fl + (unitFromWord(words[i & 3]!) < t - fl ? 1 : 0);
    if (code < 0) code = 0;
    else if (code > q.levels) code = q.levels;
    output[i] = (code - q.zeroPoint) / q.scale;
    if (codes) codes[i] = code;
  }
  return { ...q, min, max };
}

const bitsView = new Float32Array(1);
const intView = new Int32Array(bitsView.buffer);

/** The float32 next to c toward +infinity (up) or -infinity. */
function stepToward(c: number, up: boolean): number {
  if (c === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  bitsView[0] = c;
  if (c > 0 === up) intView[0] = intView[0]! + 1;
  else intView[0] = intView[0]! - 1;
  return bitsView[0]!;
}

/** Exact rounding error (x + e) - s of s = fl(x + e), all float32 (Knuth's TwoSum). */
function sumError(x: number, e: number, s: number): number {
  const bv = Math.fround(s - x);
  const av = Math.fround(s - bv);
  const br = Math.fround(e - bv);
  const ar = Math.fround(x - av);
  return Math.fround(ar + br);
}

/**
 * How to get `a` back from x = fl(a + d') by adding e = -d': 0 when fl(x + e) is a; 1 when a is
 * the neighbour of fl(x + e) on the side of the rounding error; 2 when neither (ledger).
 */
function recoveryCode(a: number, x: number, e: number): number {
  const c = Math.fround(x + e);
  if (sameBits(c, a)) return 0;
  const r = sumError(x, e, c);
  if (r === 0 || Number.isNaN(r)) return 2;
  return sameBits(stepToward(c, r > 0), a) ? 1 : 2;
}

function recover(x: number, e: number, bit: boolean): number {
  const c = Math.fround(x + e);
  return bit ? stepToward(c, sumError(x, e, c) > 0) : c;
}

function perturbPlus(
  params: Float32Array,
  offset: number,
  noise: NoiseSpec,
  eps: number,
  hints: Uint8Array,
  ledgerIndex: Uint32Array,
  ledgerValue: Float32Array,
): number {
  let count = 0;
  let cached = -1;
  hints.fill(0, 0, (params.length + 7) >> 3);
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
    const backFromPlus = recoveryCode(a, plus, -d);
    const backFromMinus = recoveryCode(a, Math.fround(a - d), d);
    if (backFromPlus === 2 || backFromMinus === 2) {
      ledgerIndex[count] = g;
      ledgerValue[count] = a;
      count++;
    } else if (backFromPlus === 1) {
      hints[i >> 3] = hints[i >> 3]! | (1 << (i & 7));
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
  hints: Uint8Array,
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
    const mask = 1 << (i & 7);
    const a = recover(params[i]!, -d, (hints[i >> 3]! & mask) !== 0);
    const minus = Math.fround(a - d);
    // Ledgered elements compute garbage here; the fix-up below overwrites them.
    hints[i >> 3] = recoveryCode(a, minus, d) === 1 ? hints[i >> 3]! | mask : hints[i >> 3]! & ~mask;
    params[i] = minus;
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
  hints: Uint8Array,
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
    params[i] = recover(params[i]!, d, ((hints[i >> 3]! >> (i & 7)) & 1) === 1);
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
