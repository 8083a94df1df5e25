/**
 * KurTail (arXiv 2503.01483): learn an orthogonal rotation R of a layer-input space that minimizes
 * the kurtosis of the rotated activations x R on a small calibration set, then fold R into the
 * adjacent weights (see rotations.ts) so the full-precision model is unchanged and quantize.
 *
 * The rotation stays orthogonal by construction: each step moves along the Cayley curve
 *   R(t) = (I + t/2 A)^-1 (I - t/2 A) R,   A = G R^T - R G^T (skew-symmetric),
 * where G is the analytic gradient of the kurtosis loss (kurtosis.ts). The derivative of the loss
 * along this curve at t = 0 is -||A||^2 / 2, so small steps always descend; a backtracking step
 * size keeps every accepted step a decrease. First-order learning is fine here: it is offline
 * calibration on a few thousand activation rows, not training through the quantized model.
 */

import { kurtosisLossAndGradient, meanTokenKurtosis } from './kurtosis';
import { identity, matmul, orthogonalityError, orthonormalizeColumns, solve } from './linear-algebra';
import { QuantError } from './quant-error';
import { SeededRandom } from './random';
import { randomHadamardRotation } from './rotations';

export interface KurTailOptions {
  /** Where the search starts: the randomized Hadamard rotation (default), the identity, or a given rotation. */
  init?: 'hadamard' | 'identity' | Float64Array;
  /** Cayley steps. Default 60. */
  steps?: number;
  /** First step's rotation angle (t x ||A||), in radians. Default 0.2. */
  stepSize?: number;
  /** Calibration rows used (an even subsample). Default 2048. */
  maxTokens?: number;
  /** Seed of the Hadamard signs and the subsample. Default 0. */
  seed?: number;
}

export interface KurTailResult {
  /** R [d, d], row-major, orthogonal to ~1e-12. Apply as x -> x R. */
  rotation: Float64Array;
  kurtosis: {
    /** Mean per-token kurtosis of the activations as they are. */
    original: number;
    /** ... after the starting rotation (the randomized Hadamard baseline by default). */
    initial: number;
    /** ... after the learned rotation. */
    learned: number;
  };
  /** Loss after each accepted step. */
  history: number[];
  /** max |R^T R - I| of the returned rotation. */
  orthogonalityError: number;
}

export function learnKurTailRotation(
  activations: Float32Array,
  d: number,
  options: KurTailOptions = {},
): KurTailResult {
  if (!Number.isInteger(d) || d < 2 || activations.length % d !== 0 || activations.length === 0) {
    throw new QuantError(
      `learnKurTailRotation: calibration activations must be rows of d = ${d} values (got ${activations.length} values)`,
    );
  }
  const seed = options.seed ?? 0;
  const x = subsample(activations, d, options.maxTokens ?? 2048, seed);
  const original = meanTokenKurtosis(x, d);
  let rotation: Float64Array;
  if (options.init === 'identity') rotation = identity(d);
  else if (options.init instanceof Float64Array) {
    if (options.init.length !== d * d)
      throw new QuantError(`learnKurTailRotation: init must be [${d}, ${d}]`);
    rotation = Float64Array.from(options.init);
  } else rotation = randomHadamardRotation(d, seed);

  let { loss, gradient } = kurtosisLossAndGradient(x, rotation, d);
  const initial = loss;
  const history: number[] = [];
  let angle = options.stepSize ?? 0.2;
  const steps = options.steps ?? 60;
  for (let step = 0; step < steps; step++) {
    const skew = skewOf(gradient, rotation, d);
    const norm = Math.sqrt(skew.reduce((s, v) => s + v * v, 0));
    if (norm < 1e-10) break;
    let accepted = false;
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = cayleyStep(rotation, skew, angle / norm, d);
      const next = kurtosisLossAndGradient(x, candidate, d);
      if (next.loss < loss) {
        rotation = candidate;
        loss = next.loss;
        gradient = next.gradient;
        angle *= 1.25;
        accepted = true;
        break;
      }
      angle *= 0.5;
    }
    if (!accepted) break;
    history.push(loss);
  }
  // Cayley steps are orthogonal in exact arithmetic; re-orthonormalizing removes float drift.
  orthonormalizeColumns(rotation, d);
  return {
    rotation,
    kurtosis: { original, initial, learned: kurtosisLossAndGradient(x, rotation, d).loss },
    history,
    orthogonalityError: orthogonalityError(rotation, d),
  };
}

/** A = G R^T - R G^T. */
function skewOf(gradient: Float64Array, rotation: Float64Array, d: number): Float64Array {
  const grt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += (gradient[i * d + p] as number) * (rotation[j * d + p] as number);
      grt[i * d + j] = s;
    }
  }
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) a[i * d + j] = (grt[i * d + j] as number) - (grt[j * d + i] as number);
  return a;
}

/** (I + t/2 A)^-1 (I - t/2 A) R. */
function cayleyStep(rotation: Float64Array, skew: Float64Array, t: number, d: number): Float64Array {
  const plus = identity(d);
  const minus = identity(d);
  for (let i = 0; i < d * d; i++) {
    const v = (t / 2) * (skew[i] as number);
    plus[i]! += v;
    minus[i]! -= v;
  }
  return solve(plus, matmul(minus, rotation, d, d, d), d, d);
}

function subsample(activations: Float32Array, d: number, maxTokens: number, seed: number): Float64Array {
  const tokens = activations.length / d;
  if (tokens <= maxTokens) return Float64Array.from(activations);
  const random = new SeededRandom(seed ^ 0x2545f491);
  const out = new Float64Array(maxTokens * d);
  for (let i = 0; i < maxTokens; i++) {
    const t = Math.min(tokens - 1, Math.floor(((i + random.next()) * tokens) / maxTokens));
    for (let j = 0; j < d; j++) out[i * d + j] = activations[t * d + j] as number;
  }
  return out;
}
