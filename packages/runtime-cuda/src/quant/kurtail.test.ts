import { describe, expect, it } from 'vitest';
import { learnKurTailRotation } from './kurtail';
import { kurtosisLossAndGradient, meanTokenKurtosis } from './kurtosis';
import { matmul, orthogonalityError } from './linear-algebra';
import { SeededRandom } from './random';
import { hadamardMatrix, randomHadamardRotation, rotateColumns, rotateRows } from './rotations';

const random = new SeededRandom(5);
const d = 32;

/** Activations with two massive channels, like an LLM residual stream. */
function outlierActivations(tokens: number): Float32Array {
  const x = random.normals(tokens * d);
  for (let t = 0; t < tokens; t++) {
    x[t * d + 3] = 25 + random.normal();
    x[t * d + 20] = -18 + random.normal();
  }
  return x;
}

describe('kurtosis', () => {
  it('is about 3 for Gaussian rows and large with massive channels', () => {
    expect(meanTokenKurtosis(random.normals(2000 * 64), 64)).toBeCloseTo(3, 0);
    expect(meanTokenKurtosis(outlierActivations(100), d)).toBeGreaterThan(10);
  });

  it('has the analytic gradient it claims (finite differences)', () => {
    const x = Float64Array.from(outlierActivations(40));
    const r = randomHadamardRotation(d, 1);
    const { loss, gradient } = kurtosisLossAndGradient(x, r, d);
    for (const index of [0, 77, 5 * d + 19, d * d - 1]) {
      const h = 1e-6;
      const bumped = Float64Array.from(r);
      bumped[index]! += h;
      const numeric = (kurtosisLossAndGradient(x, bumped, d).loss - loss) / h;
      expect(gradient[index]).toBeCloseTo(numeric, 3);
    }
  });
});

describe('rotations', () => {
  it('Hadamard rotations are orthogonal, also for sizes that are not powers of two', () => {
    expect(orthogonalityError(hadamardMatrix(16), 16)).toBeLessThan(1e-12);
    expect(orthogonalityError(randomHadamardRotation(48, 2), 48)).toBeLessThan(1e-12);
  });

  it('folding into reader rows and writer columns leaves x W1 W2 unchanged', () => {
    const r = randomHadamardRotation(d, 9);
    const x = random.normals(5 * 8);
    const writer = random.normals(8 * d);
    const reader = random.normals(d * 6);
    const before = matmul(matmul(x, writer, 5, 8, d), reader, 5, d, 6);
    const after = matmul(
      matmul(x, rotateColumns(writer, 8, d, r), 5, 8, d),
      rotateRows(reader, d, 6, r),
      5,
      d,
      6,
    );
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i] as number, 4);
  });
});

describe('KurTail rotation learning', () => {
  const x = outlierActivations(256);

  it('stays orthogonal and reaches a lower kurtosis than the randomized Hadamard rotation it starts from', () => {
    const result = learnKurTailRotation(x, d, { steps: 25, seed: 1 });
    expect(result.orthogonalityError).toBeLessThan(1e-10);
    expect(result.kurtosis.original).toBeGreaterThan(8);
    // Observed: ~15 original, ~2 Hadamard, ~1.2 learned.
    expect(result.kurtosis.initial).toBeLessThan(result.kurtosis.original);
    expect(result.kurtosis.learned).toBeLessThan(0.85 * result.kurtosis.initial);
    expect(result.history.length).toBeGreaterThan(0);
    for (let i = 1; i < result.history.length; i++)
      expect(result.history[i]).toBeLessThan(result.history[i - 1] as number);
  });

  it('from the identity also ends below a randomized Hadamard rotation', () => {
    const learned = learnKurTailRotation(x, d, { init: 'identity', steps: 40 });
    const hadamard = meanTokenKurtosis(
      Float32Array.from(matmul(Float64Array.from(x), randomHadamardRotation(d, 0), 256, d, d)),
      d,
    );
    expect(learned.kurtosis.learned).toBeLessThan(hadamard);
  });

  it('rejects calibration that is not rows of d values', () => {
    expect(() => learnKurTailRotation(new Float32Array(10), d)).toThrow(/rows of d = 32/);
  });
});
