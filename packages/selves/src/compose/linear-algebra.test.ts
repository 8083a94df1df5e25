import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../mcc/seeded-random';
import { matrix, multiply, productSvd, svd, thinQr, transposed } from './linear-algebra';

const random = new SeededRandom(4);
const randomMatrix = (rows: number, cols: number) =>
  matrix(
    rows,
    cols,
    Array.from({ length: rows * cols }, () => random.normal()),
  );

function reconstruct(
  u: { rows: number; cols: number; data: Float64Array },
  s: Float64Array,
  v: { rows: number; cols: number; data: Float64Array },
) {
  const us = matrix(
    u.rows,
    u.cols,
    u.data.map((x, i) => x * s[i % u.cols]!),
  );
  return multiply(us, transposed(v));
}

describe('linear algebra', () => {
  it('thin QR reconstructs and is orthonormal, also with dependent columns', () => {
    const a = randomMatrix(7, 4);
    for (let i = 0; i < 7; i++) a.data[i * 4 + 3] = 2 * a.data[i * 4]!; // column 3 = 2 x column 0
    const { q, r } = thinQr(a);
    multiply(q, r).data.forEach((x, i) => {
      expect(x).toBeCloseTo(a.data[i]!, 12);
    });
    const gram = multiply(transposed(q), q);
    expect(gram.data[0]).toBeCloseTo(1, 12);
    expect(gram.data[1]).toBeCloseTo(0, 12);
    expect(gram.data[3 * 4 + 3]).toBe(0); // the dependent column stays zero
  });

  it('svd reconstructs, orders singular values, and keeps the Frobenius norm', () => {
    for (const [m, n] of [
      [9, 5],
      [4, 8],
    ] as const) {
      const a = randomMatrix(m, n);
      const { u, s, v } = svd(a);
      reconstruct(u, s, v).data.forEach((x, i) => {
        expect(x).toBeCloseTo(a.data[i]!, 10);
      });
      for (let k = 1; k < s.length; k++) expect(s[k]!).toBeLessThanOrEqual(s[k - 1]!);
      const frob = a.data.reduce((t, x) => t + x * x, 0);
      expect(s.reduce((t, x) => t + x * x, 0)).toBeCloseTo(frob, 9);
      // The top singular value by power iteration on A^T A, independently.
      let x = Array.from({ length: n }, () => 1);
      for (let it = 0; it < 500; it++) {
        const ax = multiply(a, matrix(n, 1, x));
        const y = multiply(transposed(a), ax).data;
        const norm = Math.hypot(...y);
        x = Array.from(y, (t) => t / norm);
      }
      const top = Math.hypot(...multiply(a, matrix(n, 1, x)).data);
      expect(s[0]).toBeCloseTo(top, 6);
    }
  });

  it('productSvd of B A matches the SVD of the dense product', () => {
    const b = randomMatrix(10, 3);
    const a = randomMatrix(3, 6);
    const low = productSvd(b, a);
    const dense = svd(multiply(b, a));
    for (let k = 0; k < 3; k++) expect(low.s[k]).toBeCloseTo(dense.s[k]!, 9);
    const product = multiply(b, a).data;
    reconstruct(low.u, low.s, low.v).data.forEach((x, i) => {
      expect(x).toBeCloseTo(product[i]!, 9);
    });
  });
});
