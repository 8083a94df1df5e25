/**
 * Losses the agent trains with zeroth-order updates. The policy scores a group of candidate
 * actions (one logit each); a step's loss is built from softmax cross-entropy per group. All
 * losses return a plain number (the optimizer only needs forward values) and are computed in
 * float64 with a max-shifted log-sum-exp, so large logits neither overflow nor lose the target.
 */
import { QuZOError } from './quzo-error';

type Numbers = ArrayLike<number>;

/** -log softmax(logits)[target], stably. */
function negativeLogLikelihood(logits: Numbers, target: number, group: number): number {
  if (logits.length === 0)
    throw new QuZOError(`group ${group} has no candidates: every group needs >= 1 logit`);
  if (!Number.isInteger(target) || target < 0 || target >= logits.length) {
    throw new QuZOError(
      `group ${group}: target ${target} is not a candidate index in [0, ${logits.length - 1}]`,
    );
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v)) throw new QuZOError(`group ${group}: logit ${i} is NaN (check the model's outputs)`);
    if (v > max) max = v;
  }
  if (!Number.isFinite(max)) throw new QuZOError(`group ${group}: logits must be finite, max is ${max}`);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Math.log(sum) + max - logits[target]!;
}

function checkLengths(name: string, a: number, b: number, what: string): void {
  if (a !== b) throw new QuZOError(`${name}: got ${a} groups but ${b} ${what}; pass one per group`);
}

/**
 * Weighted mean cross-entropy over groups: sum_g w_g * (-log p_g[target_g]) / G.
 * Weights default to 1; they may be negative (advantage weighting pushes probability away).
 */
export function groupedSoftmaxCrossEntropy(
  logits: readonly Numbers[],
  targets: readonly number[],
  weights?: readonly number[],
): number {
  checkLengths('groupedSoftmaxCrossEntropy', logits.length, targets.length, 'targets');
  if (weights) checkLengths('groupedSoftmaxCrossEntropy', logits.length, weights.length, 'weights');
  if (logits.length === 0) throw new QuZOError('groupedSoftmaxCrossEntropy: no groups given');
  let total = 0;
  for (let g = 0; g < logits.length; g++) {
    const w = weights ? weights[g]! : 1;
    if (!Number.isFinite(w)) throw new QuZOError(`groupedSoftmaxCrossEntropy: weight ${g} is ${w}`);
    if (w === 0) continue;
    total += w * negativeLogLikelihood(logits[g]!, targets[g]!, g);
  }
  return total / logits.length;
}

export interface AdvantageWeightingOptions {
  /**
   * `advantage` (default): weight each group's log-likelihood by its advantage.
   * `successes`: behaviour cloning on groups with advantage > 0 only (weight 1), averaged over them.
   */
  mode?: 'advantage' | 'successes';
  /** Standardize advantages (zero mean, unit variance) before weighting. Default false. */
  normalize?: boolean;
  /** Clip weights to [-clip, clip] after normalization (keeps one outlier from dominating). */
  clip?: number;
}

/**
 * Policy loss: -(1/G) sum_g A_g log p_g[action_g] (advantage mode), or the mean negative
 * log-likelihood of the successful groups (successes mode; 0 when there are none).
 */
export function advantageWeightedLogLikelihood(
  logits: readonly Numbers[],
  actions: readonly number[],
  advantages: readonly number[],
  options: AdvantageWeightingOptions = {},
): number {
  const name = 'advantageWeightedLogLikelihood';
  checkLengths(name, logits.length, actions.length, 'actions');
  checkLengths(name, logits.length, advantages.length, 'advantages');
  if (logits.length === 0) throw new QuZOError(`${name}: no groups given`);
  for (let g = 0; g < advantages.length; g++) {
    if (!Number.isFinite(advantages[g]!)) throw new QuZOError(`${name}: advantage ${g} is ${advantages[g]}`);
  }
  if (options.mode === 'successes') {
    let total = 0;
    let kept = 0;
    for (let g = 0; g < logits.length; g++) {
      if (advantages[g]! > 0) {
        total += negativeLogLikelihood(logits[g]!, actions[g]!, g);
        kept++;
      }
    }
    return kept === 0 ? 0 : total / kept;
  }
  let weights = [...advantages];
  if (options.normalize && weights.length > 1) {
    const mean = weights.reduce((s, v) => s + v, 0) / weights.length;
    const sd = Math.sqrt(weights.reduce((s, v) => s + (v - mean) ** 2, 0) / weights.length);
    weights = weights.map((v) => (sd > 1e-12 ? (v - mean) / sd : 0));
  }
  if (options.clip !== undefined) {
    if (!(options.clip > 0)) throw new QuZOError(`${name}: clip must be > 0, got ${options.clip}`);
    const c = options.clip;
    weights = weights.map((v) => Math.max(-c, Math.min(c, v)));
  }
  return groupedSoftmaxCrossEntropy(logits, actions, weights);
}

/**
 * Value-head regression: mean squared error / 2, or the Huber loss with `huberDelta`
 * (quadratic within delta, linear beyond, so rare large returns do not dominate).
 */
export function valueRegressionLoss(
  values: Numbers,
  targets: Numbers,
  options: { huberDelta?: number } = {},
): number {
  if (values.length !== targets.length) {
    throw new QuZOError(`valueRegressionLoss: ${values.length} values but ${targets.length} targets`);
  }
  if (values.length === 0) throw new QuZOError('valueRegressionLoss: no values given');
  const delta = options.huberDelta;
  if (delta !== undefined && !(delta > 0)) {
    throw new QuZOError(`valueRegressionLoss: huberDelta must be > 0, got ${delta}`);
  }
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const e = values[i]! - targets[i]!;
    if (Number.isNaN(e)) throw new QuZOError(`valueRegressionLoss: value or target ${i} is NaN`);
    const a = Math.abs(e);
    total += delta === undefined || a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
  }
  return total / values.length;
}
