import { describe, expect, it } from 'vitest';
import { chooseFromLogits } from './policy';

describe('chooseFromLogits', () => {
  it('takes the argmax when not exploring', () => {
    expect(chooseFromLogits([0, 3, 1], false, 0.99)).toEqual({ index: 1, logProb: expect.any(Number) });
  });

  it('spends the exploring share by the given distribution, with the log-probability of the mixture', () => {
    const logits = [10, 0, 0];
    const weights = [0, 0, 1];
    // uniform < epsilon: the exploring share, all of it on candidate 2 here.
    const explored = chooseFromLogits(logits, true, 0.1, 1, 0.3, weights);
    expect(explored.index).toBe(2);
    const softmax2 = Math.exp(0) / (Math.exp(10) + 2);
    expect(explored.logProb).toBeCloseTo(Math.log(0.7 * softmax2 + 0.3 * 1), 12);
    // Without weights the share is uniform: 0.1 / 0.3 of the way through three candidates is index 1.
    expect(chooseFromLogits(logits, true, 0.1, 1, 0.3).index).toBe(1);
    // uniform >= epsilon: the softmax, sure of candidate 0.
    expect(chooseFromLogits(logits, true, 0.5, 1, 0.3, weights).index).toBe(0);
  });
});
