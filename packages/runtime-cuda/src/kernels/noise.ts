/**
 * The noise every backend generates: a standard Gaussian per element, addressed by
 * (seed, tensor, element index), plus the stochastic-rounding (SR) uniforms that quantize it.
 *
 * Definition (shared with native/src/chimera_math.h; all three backends agree bit for bit):
 * - element i belongs to pair p = floor(i / 2); Philox4x32-10 with counter (p, 0, DOMAIN, 0) and
 *   key (seed, tensor) gives words w0..w3;
 * - Box-Muller on (w0, w1) in float64 with our own log and sin/cos polynomials (only +, -, *, /
 *   and sqrt, which IEEE 754 rounds identically everywhere; libm's log/cos differ by an ulp between
 *   V8, glibc and CUDA), rounded once to float32: even elements take the cosine branch, odd the sine;
 * - the perturbation's SR uniform is w2 (even) or w3 (odd) of the same block, divided by 2^32;
 * - the update's SR uniform comes from its own sub-seed, key (seed ^ 0x9E3779B9, tensor), counter
 *   domain 1, so the update's rounding is independent of the perturbation's (QuZO's unbiasedness
 *   needs E[u2 u1^T | u] = u u^T; reusing one draw adds diag(Var Q(u)) as bias).
 */
import { philox4x32 } from './philox';

/** Counter word 2 separates independent uses of one key. */
export const DOMAIN_GAUSSIAN = 0;
export const DOMAIN_UPDATE_ROUNDING = 1;
export const DOMAIN_DATA_ROUNDING = 2;
/** XORed into the seed for the update's rounding draw: its own sub-seed. */
export const UPDATE_SUBSEED_XOR = 0x9e3779b9;

const TWO_POW_NEG_32 = 2.3283064365386963e-10;
// Math.LN2 and Math.SQRT2 are the doubles nearest ln 2 and sqrt 2 (the C++/CUDA code spells them as literals).
const LN2 = Math.LN2;
const SQRT2 = Math.SQRT2;
/** (pi / 2) / 2^30: maps a 30-bit quarter-turn fraction to radians (exact power-of-two scaling). */
const QUARTER_TURN_RADIANS = 1.5707963267948966 * 9.313225746154785e-10;

const POW2_NEG: Float64Array = (() => {
  const t = new Float64Array(34);
  for (let e = 0; e < 34; e++) t[e] = 2 ** -e;
  return t;
})();

// The polynomials stop once the next term is below 1e-10 relative: the result is rounded to
// float32 (6e-8) anyway, and every backend evaluates the same terms in the same order.
// atanh series of ln: ln m = 2 s (1 + s^2/3 + s^4/5 + ...), s = (m - 1)/(m + 1), s^2 <= 0.0295.
const L1 = 1 / 3;
const L2 = 1 / 5;
const L3 = 1 / 7;
const L4 = 1 / 9;
const L5 = 1 / 11;
// Taylor coefficients of sin and cos on [0, pi/4].
const S1 = -1 / 6;
const S2 = 1 / 120;
const S3 = -1 / 5040;
const S4 = 1 / 362880;
const S5 = -1 / 39916800;
const C1 = -1 / 2;
const C2 = 1 / 24;
const C3 = -1 / 720;
const C4 = 1 / 40320;
const C5 = -1 / 3628800;

/** ln(u) for u = (2 w + 1) / 2^33, i.e. a uniform in (0, 1) that never hits 0 or 1. */
export function logOpenUniform(w: number): number {
  let e = w === 0 ? 0 : 32 - Math.clz32(w);
  let m = (2 * w + 1) * POW2_NEG[e]!;
  if (m > SQRT2) {
    m = m * 0.5;
    e = e + 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  const p = 1 + s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * L5))));
  return (e - 33) * LN2 + 2 * s * p;
}

function sinPoly(x: number, x2: number): number {
  return x * (1 + x2 * (S1 + x2 * (S2 + x2 * (S3 + x2 * (S4 + x2 * S5)))));
}

function cosPoly(x2: number): number {
  return 1 + x2 * (C1 + x2 * (C2 + x2 * (C3 + x2 * (C4 + x2 * C5))));
}

/**
 * Box-Muller on two Philox words: writes r cos(theta) to out[0] and r sin(theta) to out[1], both
 * rounded to float32 values. theta = 2 pi w1 / 2^32, reduced by quadrant and octant exactly in
 * integers so the polynomials only see [0, pi/4].
 */
export function boxMuller(w0: number, w1: number, out: Float64Array | number[]): void {
  const r = Math.sqrt(-2 * logOpenUniform(w0));
  const quadrant = w1 >>> 30;
  const f = w1 & 0x3fffffff;
  let c: number;
  let s: number;
  if (f > 0x20000000) {
    const x = (0x40000000 - f) * QUARTER_TURN_RADIANS;
    const x2 = x * x;
    c = sinPoly(x, x2);
    s = cosPoly(x2);
  } else {
    const x = f * QUARTER_TURN_RADIANS;
    const x2 = x * x;
    c = cosPoly(x2);
    s = sinPoly(x, x2);
  }
  let cosT: number;
  let sinT: number;
  if (quadrant === 0) {
    cosT = c;
    sinT = s;
  } else if (quadrant === 1) {
    cosT = -s;
    sinT = c;
  } else if (quadrant === 2) {
    cosT = -c;
    sinT = -s;
  } else {
    cosT = s;
    sinT = -c;
  }
  out[0] = Math.fround(r * cosT);
  out[1] = Math.fround(r * sinT);
}

/** A uint32 word as a uniform in [0, 1) (exact in float64). */
export function unitFromWord(w: number): number {
  return w * TWO_POW_NEG_32;
}

/**
 * Parameters of the asymmetric per-tensor SR quantizer (QuZO's `zo_quant`): levels = 2^bits - 1,
 * scale = levels / (max - min), code = SR((x - min) * scale) in 0..levels, value =
 * (code - zeroPoint) / scale with zeroPoint = -scale * min.
 *
 * One deliberate difference from the reference code: the zero point is not rounded to an integer.
 * Rounding it shifts the grid by up to half a step, so values near max clamp and E[Q(x)] != x
 * there; kept real, the grid spans exactly [min, max] and E[Q(x)] = x for every x in range, the
 * property the QuZO estimator's unbiasedness rests on. A constant tensor (max == min) gets scale 0,
 * which the kernels treat as "pass through unchanged".
 */
export interface Quantizer {
  levels: number;
  scale: number;
  zeroPoint: number;
}

export function quantizerFor(min: number, max: number, bits: number): Quantizer {
  const levels = 2 ** bits - 1;
  if (!(max > min)) return { levels, scale: 0, zeroPoint: 0 };
  const scale = levels / (max - min);
  return { levels, scale, zeroPoint: -scale * min };
}

/**
 * SR-quantize one value and return its dequantized value (float64):
 * t = x s + zp; q = clamp(floor(t) + [uniform < frac(t)], 0, levels); (q - zp) / s.
 */
export function stochasticRoundValue(x: number, q: Quantizer, uniform: number): number {
  if (q.scale === 0) return x;
  const t = x * q.scale + q.zeroPoint;
  const fl = Math.floor(t);
  let code = fl + (uniform < t - fl ? 1 : 0);
  if (code < 0) code = 0;
  else if (code > q.levels) code = q.levels;
  return (code - q.zeroPoint) / q.scale;
}

const scratchWords = new Uint32Array(4);
const scratchPair = new Float64Array(2);

/** The Gaussian at one element (float32 value). Slow path for spot checks and sparse fix-ups. */
export function gaussianAt(seed: number, tensor: number, index: number): number {
  const pair = Math.floor(index / 2);
  philox4x32(pair, Math.floor(pair / 4294967296), DOMAIN_GAUSSIAN, 0, seed, tensor, scratchWords);
  boxMuller(scratchWords[0]!, scratchWords[1]!, scratchPair);
  return scratchPair[index & 1]!;
}
