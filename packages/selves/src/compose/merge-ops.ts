/**
 * The merge operators of PEFT's `utils/merge_utils.py`, on flat float64 tensors: task arithmetic,
 * magnitude pruning, random (DARE) pruning with rescaling, TIES sign election and disjoint merge.
 * Same semantics as theirs; DARE's Bernoulli masks come from a seeded stream so a composition can
 * be reproduced (PEFT's use torch's global generator).
 */
import { CompositionError } from '../errors/composition-error';
import type { SeededRandom } from '../mcc/seeded-random';

export type MajoritySign = 'total' | 'frequency';

export function taskArithmetic(tensors: readonly Float64Array[], weights: readonly number[]): Float64Array {
  const out = new Float64Array(tensors[0]!.length);
  tensors.forEach((t, k) => {
    const w = weights[k]!;
    for (let i = 0; i < out.length; i++) out[i]! += w * t[i]!;
  });
  return out;
}

/** Keeps the `floor(density * n)` entries of largest magnitude (ties: lower index first). */
export function magnitudePrune(tensor: Float64Array, density: number): Float64Array {
  if (density >= 1) return tensor.slice();
  const keep = Math.floor(density * tensor.length);
  const order = Array.from({ length: tensor.length }, (_, i) => i).sort(
    (a, b) => Math.abs(tensor[b]!) - Math.abs(tensor[a]!) || a - b,
  );
  const out = new Float64Array(tensor.length);
  for (let k = 0; k < keep; k++) out[order[k]!] = tensor[order[k]!]!;
  return out;
}

/** DARE: keeps each entry with probability `density`, rescaled by 1 / density. */
export function randomPrune(tensor: Float64Array, density: number, random: SeededRandom): Float64Array {
  if (density >= 1) return tensor.slice();
  const out = new Float64Array(tensor.length);
  if (density <= 0) return out;
  for (let i = 0; i < tensor.length; i++) if (random.next() < density) out[i] = tensor[i]! / density;
  return out;
}

/** Per entry: +1 or -1 by the sign of the sum (`total`) or of the sum of signs (`frequency`); >= 0 counts as +1. */
export function majoritySign(tensors: readonly Float64Array[], method: MajoritySign): Int8Array {
  const n = tensors[0]!.length;
  const out = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const t of tensors) sum += method === 'total' ? t[i]! : Math.sign(t[i]!);
    out[i] = sum >= 0 ? 1 : -1;
  }
  return out;
}

/** Mean of the weighted entries whose sign agrees with the elected one (zeros never agree). */
export function disjointMerge(
  tensors: readonly Float64Array[],
  weights: readonly number[],
  sign: Int8Array,
): Float64Array {
  const out = new Float64Array(sign.length);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    let count = 0;
    tensors.forEach((t, k) => {
      if (Math.sign(t[i]!) === sign[i]) {
        sum += weights[k]! * t[i]!;
        count++;
      }
    });
    out[i] = sum / Math.max(count, 1);
  }
  return out;
}

export type MergeOperator = 'linear' | 'ties' | 'dare_linear' | 'dare_ties' | 'magnitude_prune';

export function mergeTensors(
  operator: MergeOperator,
  tensors: readonly Float64Array[],
  weights: readonly number[],
  options: { density?: number; majoritySign?: MajoritySign; random: SeededRandom },
): Float64Array {
  if (operator === 'linear') return taskArithmetic(tensors, weights);
  const density = options.density;
  if (density === undefined || !(density >= 0 && density <= 1)) {
    throw new CompositionError(
      `${operator} needs a density in [0, 1] (the share of entries kept), got ${density}`,
    );
  }
  const sign = options.majoritySign ?? 'total';
  switch (operator) {
    case 'magnitude_prune':
      return taskArithmetic(
        tensors.map((t) => magnitudePrune(t, density)),
        weights,
      );
    case 'ties': {
      const pruned = tensors.map((t) => magnitudePrune(t, density));
      return disjointMerge(pruned, weights, majoritySign(pruned, sign));
    }
    case 'dare_linear':
      return taskArithmetic(
        tensors.map((t) => randomPrune(t, density, options.random)),
        weights,
      );
    case 'dare_ties': {
      const pruned = tensors.map((t) => randomPrune(t, density, options.random));
      return disjointMerge(pruned, weights, majoritySign(pruned, sign));
    }
  }
}
