import { describe, expect, it } from 'vitest';
import { advantageWeightedLogLikelihood, groupedSoftmaxCrossEntropy, valueRegressionLoss } from './losses';

const ln = Math.log;

describe('losses', () => {
  it('groupedSoftmaxCrossEntropy is the mean -log p(target) over groups of any size', () => {
    const logits = [new Float32Array([0, 0]), new Float32Array([1, 2, 3])];
    const expected = (ln(2) + (ln(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1)) / 2;
    expect(groupedSoftmaxCrossEntropy(logits, [1, 0])).toBeCloseTo(expected, 12);
    expect(groupedSoftmaxCrossEntropy(logits, [1, 0], [2, 0])).toBeCloseTo(ln(2), 12);
  });

  it('stays finite for large logits (log-sum-exp is shifted)', () => {
    const v = groupedSoftmaxCrossEntropy([[1000, 999, -1000]], [1]);
    expect(v).toBeCloseTo(1 + ln(1 + Math.exp(-1) + Math.exp(-2000)), 9);
  });

  it('advantage weighting pushes away from bad actions; success filtering keeps only successes', () => {
    const logits = [
      [2, 0],
      [0, 2],
      [1, 1],
    ];
    const nll = (l: number[], t: number) => groupedSoftmaxCrossEntropy([l], [t]);
    const weighted = advantageWeightedLogLikelihood(logits, [0, 0, 1], [1, -0.5, 0]);
    expect(weighted).toBeCloseTo((nll([2, 0], 0) - 0.5 * nll([0, 2], 0)) / 3, 12);
    const filtered = advantageWeightedLogLikelihood(logits, [0, 0, 1], [1, -0.5, 2], { mode: 'successes' });
    expect(filtered).toBeCloseTo((nll([2, 0], 0) + nll([1, 1], 1)) / 2, 12);
    expect(advantageWeightedLogLikelihood(logits, [0, 0, 1], [-1, -1, 0], { mode: 'successes' })).toBe(0);
    const normalized = advantageWeightedLogLikelihood(logits, [0, 0, 1], [3, 1, 2], {
      normalize: true,
      clip: 1,
    });
    const sd = Math.sqrt(2 / 3);
    expect(normalized).toBeCloseTo(
      (Math.min(1, 1 / sd) * nll([2, 0], 0) - Math.min(1, 1 / sd) * nll([0, 2], 0)) / 3,
      12,
    );
  });

  it('value regression is MSE/2, or Huber beyond delta', () => {
    expect(valueRegressionLoss([1, 2], [0, 0])).toBeCloseTo((0.5 + 2) / 2, 12);
    expect(valueRegressionLoss([3], [0], { huberDelta: 1 })).toBeCloseTo(2.5, 12);
  });

  it('rejects malformed input with an error that names the problem', () => {
    expect(() => groupedSoftmaxCrossEntropy([[1, 2]], [2])).toThrow(
      /target 2 is not a candidate index in \[0, 1\]/,
    );
    expect(() => groupedSoftmaxCrossEntropy([[1, 2]], [0, 1])).toThrow(/1 groups but 2 targets/);
    expect(() => groupedSoftmaxCrossEntropy([[]], [0])).toThrow(/has no candidates/);
    expect(() => groupedSoftmaxCrossEntropy([[Number.NaN, 1]], [0])).toThrow(/logit 0 is NaN/);
    expect(() => valueRegressionLoss([1], [1, 2])).toThrow(/1 values but 2 targets/);
    expect(() => advantageWeightedLogLikelihood([[1]], [0], [Number.POSITIVE_INFINITY])).toThrow(
      /advantage 0/,
    );
  });
});
