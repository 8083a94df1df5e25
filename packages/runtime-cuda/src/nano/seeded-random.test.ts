import { describe, expect, it } from 'vitest';
import { orthogonalMatrix, seededNormal, seededUniform } from './seeded-random';

describe('seeded random numbers', () => {
  it('repeat for a seed and differ across seeds', () => {
    const a = seededUniform(5);
    const b = seededUniform(5);
    const c = seededUniform(6);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const normal = seededNormal(3);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20000; i++) {
      const v = normal();
      sum += v;
      sq += v * v;
    }
    expect(Math.abs(sum / 20000)).toBeLessThan(0.03);
    expect(Math.abs(sq / 20000 - 1)).toBeLessThan(0.05);
  });

  it('orthogonalMatrix gives Q Q^T = gain^2 I', () => {
    const n = 32;
    const q = orthogonalMatrix(n, 9, 2);
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += q[i * n + k]! * q[j * n + k]!;
        worst = Math.max(worst, Math.abs(dot - (i === j ? 4 : 0)));
      }
    expect(worst).toBeLessThan(1e-5);
    expect(Array.from(orthogonalMatrix(8, 1))).toEqual(Array.from(orthogonalMatrix(8, 1)));
  });
});
