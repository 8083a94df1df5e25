/**
 * Hybrid priority: the blueprint's replay metric, mixing how surprising an experience was (its
 * TD error) with how much its task is being learned (the curriculum teacher's learning progress):
 *
 *   priority = tdWeight * |tdError| / tdScale + lpWeight * |learningProgress| / lpScale
 *
 * The two signals live on unrelated scales (a TD error in reward units, learning progress a
 * difference of success rates), so each is divided by a scale before the weights apply: fixed
 * scales for the stateless `hybridPriority()`, or running statistics kept by `HybridPriority`
 * ('running-mean': an exponential moving average of each signal's magnitude, so a typical value
 * of each contributes about its weight; 'running-max': a decaying maximum, so each term is at most
 * about its weight; 'none': raw values). Magnitudes are used: a negative TD error is as surprising
 * as a positive one, and learning progress that turned negative (forgetting) is worth replaying.
 * The result feeds PrioritizedReplayBuffer.updatePriorities (or add).
 */
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { checkFiniteInRange } from './validate';

export type HybridNormalization = 'none' | 'running-mean' | 'running-max';

export interface HybridWeights {
  /** Weight of the TD-error term. Default 0.5. */
  tdWeight?: number;
  /** Weight of the learning-progress term. Default 0.5. */
  lpWeight?: number;
}

export interface HybridPriorityOptions extends HybridWeights {
  /** How each signal is scaled before weighting. Default 'running-mean'. */
  normalization?: HybridNormalization;
  /** Per-batch decay of the running statistics, in [0, 1). Default 0.99. */
  decay?: number;
  /** Added to each scale so a signal that has always been 0 does not divide by 0. Default 1e-8. */
  floor?: number;
}

/** Stateless form: `tdScale` and `lpScale` (default 1) are the caller's fixed normalizers. */
export function hybridPriority(
  tdError: number,
  learningProgress: number,
  options: HybridWeights & { tdScale?: number; lpScale?: number } = {},
): number {
  const { tdWeight, lpWeight } = checkWeights(options);
  const { tdScale = 1, lpScale = 1 } = options;
  checkFiniteInRange(tdScale, 'tdScale', Number.MIN_VALUE, Number.MAX_VALUE);
  checkFiniteInRange(lpScale, 'lpScale', Number.MIN_VALUE, Number.MAX_VALUE);
  checkSignal(tdError, 'tdError', undefined);
  checkSignal(learningProgress, 'learningProgress', undefined);
  return (tdWeight * Math.abs(tdError)) / tdScale + (lpWeight * Math.abs(learningProgress)) / lpScale;
}

/** Running state of a HybridPriority, for saving with the replay buffer. */
export interface HybridPriorityState {
  tdScale: number;
  lpScale: number;
  batches: number;
}

/** Stateful form: keeps running scales of both signals, updated by every batch it scores. */
export class HybridPriority {
  readonly tdWeight: number;
  readonly lpWeight: number;
  readonly normalization: HybridNormalization;
  readonly decay: number;
  readonly floor: number;
  private tdScale = 1;
  private lpScale = 1;
  private batches = 0;

  constructor(options: HybridPriorityOptions = {}) {
    const { tdWeight, lpWeight } = checkWeights(options);
    const { normalization = 'running-mean', decay = 0.99, floor = 1e-8 } = options;
    if (normalization !== 'none' && normalization !== 'running-mean' && normalization !== 'running-max') {
      throw new InvalidArgumentError(
        `normalization must be 'none', 'running-mean' or 'running-max', got ${JSON.stringify(normalization)}`,
      );
    }
    if (!(decay >= 0 && decay < 1))
      throw new InvalidArgumentError(`decay must be in [0, 1), got ${String(decay)}`);
    checkFiniteInRange(floor, 'floor', 0, Number.MAX_VALUE);
    this.tdWeight = tdWeight;
    this.lpWeight = lpWeight;
    this.normalization = normalization;
    this.decay = decay;
    this.floor = floor;
  }

  /** Current scales (1 before the first batch, and always 1 with normalization 'none'). */
  get scales(): { td: number; lp: number } {
    return { td: this.tdScale, lp: this.lpScale };
  }

  /**
   * Scores a batch: updates the running scales with it, then returns one priority per experience
   * (into `out` when given). `learningProgress` is per experience, or one number for the whole
   * batch (the learning progress of the task the batch came from). Validates before updating.
   */
  compute(
    tdErrors: ArrayLike<number>,
    learningProgress: ArrayLike<number> | number,
    out: Float64Array = new Float64Array(tdErrors.length),
  ): Float64Array {
    const n = tdErrors.length;
    const perItem = typeof learningProgress !== 'number';
    if (perItem && learningProgress.length !== n) {
      throw new InvalidArgumentError(
        `compute: got ${n} TD errors but ${learningProgress.length} learning-progress values; pass one per experience or a single number`,
      );
    }
    if (out.length < n) throw new InvalidArgumentError(`compute: out has length ${out.length}, needs ${n}`);
    const lpAt = (i: number): number => (perItem ? learningProgress[i]! : learningProgress);
    let tdSum = 0;
    let tdMax = 0;
    let lpSum = 0;
    let lpMax = 0;
    for (let i = 0; i < n; i++) {
      const td = checkSignal(tdErrors[i]!, 'tdError', i);
      const lp = checkSignal(lpAt(i), 'learningProgress', perItem ? i : undefined);
      tdSum += td;
      lpSum += lp;
      if (td > tdMax) tdMax = td;
      if (lp > lpMax) lpMax = lp;
    }
    if (n > 0) this.observe(tdSum / n, tdMax, lpSum / n, lpMax);
    const raw = this.normalization === 'none';
    const tdDivisor = raw ? 1 : this.tdScale + this.floor;
    const lpDivisor = raw ? 1 : this.lpScale + this.floor;
    for (let i = 0; i < n; i++) {
      out[i] =
        (this.tdWeight * Math.abs(tdErrors[i]!)) / tdDivisor +
        (this.lpWeight * Math.abs(lpAt(i))) / lpDivisor;
    }
    return out;
  }

  /** Scores one experience (a batch of one). */
  priority(tdError: number, learningProgress: number): number {
    return this.compute([tdError], learningProgress)[0]!;
  }

  getState(): HybridPriorityState {
    return { tdScale: this.tdScale, lpScale: this.lpScale, batches: this.batches };
  }

  setState(state: HybridPriorityState): void {
    checkFiniteInRange(state?.tdScale, 'state.tdScale', 0, Number.MAX_VALUE);
    checkFiniteInRange(state.lpScale, 'state.lpScale', 0, Number.MAX_VALUE);
    if (!Number.isSafeInteger(state.batches) || state.batches < 0) {
      throw new InvalidArgumentError(`state.batches must be an integer >= 0, got ${String(state.batches)}`);
    }
    this.tdScale = state.tdScale;
    this.lpScale = state.lpScale;
    this.batches = state.batches;
  }

  private observe(tdMean: number, tdMax: number, lpMean: number, lpMax: number): void {
    const first = this.batches === 0;
    this.batches++;
    if (this.normalization === 'running-mean') {
      this.tdScale = first ? tdMean : this.decay * this.tdScale + (1 - this.decay) * tdMean;
      this.lpScale = first ? lpMean : this.decay * this.lpScale + (1 - this.decay) * lpMean;
    } else if (this.normalization === 'running-max') {
      this.tdScale = first ? tdMax : Math.max(this.decay * this.tdScale, tdMax);
      this.lpScale = first ? lpMax : Math.max(this.decay * this.lpScale, lpMax);
    }
  }
}

function checkWeights(options: HybridWeights): { tdWeight: number; lpWeight: number } {
  const { tdWeight = 0.5, lpWeight = 0.5 } = options;
  checkFiniteInRange(tdWeight, 'tdWeight', 0, Number.MAX_VALUE);
  checkFiniteInRange(lpWeight, 'lpWeight', 0, Number.MAX_VALUE);
  if (tdWeight === 0 && lpWeight === 0) {
    throw new InvalidArgumentError('tdWeight and lpWeight are both 0: every priority would be 0');
  }
  return { tdWeight, lpWeight };
}

/** |value|, or a clear error for NaN and infinities. */
function checkSignal(value: number, what: string, position: number | undefined): number {
  const magnitude = Math.abs(value);
  if (!(magnitude < Number.POSITIVE_INFINITY)) throw new InvalidPriorityError(value, position, what, false);
  return magnitude;
}
