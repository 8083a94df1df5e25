/**
 * PEQA-style scale fine-tuning (arXiv 2305.14152) with QuZO (arXiv 2502.12346): the 4-bit codes
 * and zero points of the chosen layers stay frozen and only their scales move, trained from
 * forward passes of the quantized model alone (no gradients, no straight-through estimator).
 * The tuned scales are the whole adapter: a few floats per 32 weights.
 *
 * QuZO perturbs parameters additively, and scales differ by orders of magnitude between layers,
 * so the optimizer trains one relative multiplier per scale (s = s0 x m, m starts at 1): the same
 * step size means the same relative change everywhere. After each step the multipliers are
 * projected to m >= minMultiplier (QZO keeps scales positive the same way).
 */
import { QuZOOptimizer, type QuZOStepResult } from '../quzo/quzo-optimizer';
import { QuantError } from './quant-error';
import type { QuantizedLinear } from './quantized-linear';

export interface ScaleTuningOptions {
  steps: number;
  /** Learning rate on the relative multipliers. Default 2e-3. */
  lr?: number;
  /** Perturbation size on the multipliers. Default 1e-3. */
  eps?: number;
  /** Forward-pass pairs per step. Default 1. */
  directions?: number;
  /** Bits of QuZO's stochastically rounded perturbations; null is MeZO. Default 4. */
  perturbBits?: 4 | 8 | null;
  /** INT8 projected gradients (QuZO); null keeps float64. Default 8. */
  gradBits?: 8 | null;
  seed?: number;
  /** Lower bound of every multiplier. Default 0.05. */
  minMultiplier?: number;
  /**
   * Held-out loss, checked before training and every `evalEvery` steps: the multipliers with the
   * lowest value are the ones kept, so tuning never leaves the model worse on it than it started.
   */
  validationLoss?: () => number | Promise<number>;
  evalEvery?: number;
  onStep?: (result: QuZOStepResult) => void;
}

export interface ScaleTuningResult {
  steps: number;
  /** Validation loss before tuning and the best one kept (when a validation loss was given). */
  validation?: { initial: number; best: number; bestStep: number };
  /** Training loss (mean of the +/- evaluations) per step. */
  history: number[];
  /** Trainable scalars (scales) across the layers. */
  parameters: number;
}

/**
 * Tunes the scales of `layers` in place to lower `loss(step)`. `loss` must compute the quantized
 * model's loss reading the layers' current scales (dequantize on every call); it receives the
 * step index so it can draw the same minibatch for both evaluations of a step.
 */
export async function tuneScales(
  layers: readonly QuantizedLinear[],
  loss: (step: number) => number | Promise<number>,
  options: ScaleTuningOptions,
): Promise<ScaleTuningResult> {
  if (layers.length === 0) throw new QuantError('tuneScales: choose at least one quantized layer');
  if (!Number.isInteger(options.steps) || options.steps < 0) {
    throw new QuantError(`tuneScales: steps must be a non-negative integer, got ${options.steps}`);
  }
  const scales = layers.flatMap((layer) => layer.parts.map((part) => part.scales));
  const initial = scales.map((s) => Float32Array.from(s));
  const multipliers = scales.map((s) => new Float32Array(s.length).fill(1));
  const floor = options.minMultiplier ?? 0.05;
  const apply = () => {
    for (let t = 0; t < scales.length; t++) {
      const s = scales[t] as Float32Array;
      const s0 = initial[t] as Float32Array;
      const m = multipliers[t] as Float32Array;
      for (let i = 0; i < s.length; i++) s[i] = (s0[i] as number) * (m[i] as number);
    }
  };
  const optimizer = new QuZOOptimizer({
    params: multipliers,
    lr: options.lr ?? 2e-3,
    eps: options.eps ?? 1e-3,
    perturbBits: options.perturbBits === undefined ? 4 : options.perturbBits,
    gradBits: options.gradBits === undefined ? 8 : options.gradBits,
    directions: options.directions ?? 1,
    seed: options.seed ?? 0,
    keepLog: false,
  });
  const evalEvery = options.evalEvery ?? 10;
  let best: Float32Array[] | undefined;
  let validation: ScaleTuningResult['validation'];
  if (options.validationLoss) {
    const value = await options.validationLoss();
    validation = { initial: value, best: value, bestStep: 0 };
    best = multipliers.map((m) => Float32Array.from(m));
  }
  const history: number[] = [];
  for (let step = 0; step < options.steps; step++) {
    const result = await optimizer.step(() => {
      apply();
      return loss(step);
    });
    for (const m of multipliers)
      for (let i = 0; i < m.length; i++) if ((m[i] as number) < floor) m[i] = floor;
    apply();
    history.push(result.loss);
    options.onStep?.(result);
    const last = step === options.steps - 1;
    if (options.validationLoss && validation && ((step + 1) % evalEvery === 0 || last)) {
      const value = await options.validationLoss();
      if (value < validation.best) {
        validation = { initial: validation.initial, best: value, bestStep: step + 1 };
        best = multipliers.map((m) => Float32Array.from(m));
      }
    }
  }
  if (best) for (const [t, m] of best.entries()) (multipliers[t] as Float32Array).set(m);
  apply();
  return {
    steps: options.steps,
    ...(validation ? { validation } : {}),
    history,
    parameters: scales.reduce((n, s) => n + s.length, 0),
  };
}
