/**
 * Losses over candidate logits, for training adapters by behaviour cloning (cross-entropy on the
 * chosen candidate) and for reading off accuracy. Plain functions: a zeroth-order optimizer only
 * needs a number back.
 */
import type { NanoScores } from './nano-policy-model';

/** Mean softmax cross-entropy of `targets[i]` (index of the right candidate) over each group's logits. */
export function candidateCrossEntropy(logits: readonly Float32Array[], targets: readonly number[]): number {
  let total = 0;
  logits.forEach((row, i) => {
    const t = targets[i]!;
    let max = -Infinity;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += Math.log(sum) + max - row[t]!;
  });
  return total / Math.max(1, logits.length);
}

/** Share of groups whose highest logit is the target (ties go to the first candidate). */
export function candidateAccuracy(logits: readonly Float32Array[], targets: readonly number[]): number {
  let hits = 0;
  logits.forEach((row, i) => {
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
    if (best === targets[i]) hits++;
  });
  return hits / Math.max(1, logits.length);
}

/** Mean squared error of the value head against targets (e.g. TD targets). */
export function valueSquaredError(scores: NanoScores, targets: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < scores.values.length; i++) total += (scores.values[i]! - targets[i]!) ** 2;
  return total / Math.max(1, scores.values.length);
}
