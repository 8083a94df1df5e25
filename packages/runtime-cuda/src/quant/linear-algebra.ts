/**
 * Dense row-major matrix helpers for the quantizer (all offline work on small matrices: d up to a
 * few thousand). Float64 is used where errors would accumulate (rotations, solves); callers pick.
 */
import { QuantError } from './quant-error';

export type Matrix = Float32Array | Float64Array;

/** out[m, n] = a[m, k] @ b[k, n]. `out` defaults to a new array of a's kind. */
export function matmul<T extends Matrix>(a: T, b: Matrix, m: number, k: number, n: number, out?: T): T {
  if (a.length !== m * k || b.length !== k * n) {
    throw new QuantError(
      `matmul: expected a [${m}, ${k}] and b [${k}, ${n}], got ${a.length} and ${b.length} values`,
    );
  }
  const c = out ?? (new (a.constructor as new (n: number) => T)(m * n) as T);
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p] as number;
      if (v === 0) continue;
      const brow = p * n;
      for (let j = 0; j < n; j++) c[row + j]! += v * (b[brow + j] as number);
    }
  }
  return c;
}

/** out[k, n] = a[m, k]^T @ b[m, n]. */
export function matmulTransposeA<T extends Matrix>(a: T, b: Matrix, m: number, k: number, n: number): T {
  const c = new (a.constructor as new (n: number) => T)(k * n) as T;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p] as number;
      if (v === 0) continue;
      const crow = p * n;
      const brow = i * n;
      for (let j = 0; j < n; j++) c[crow + j]! += v * (b[brow + j] as number);
    }
  }
  return c;
}

export function transpose<T extends Matrix>(a: T, rows: number, cols: number): T {
  const out = new (a.constructor as new (n: number) => T)(rows * cols) as T;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j] as number;
  return out;
}

export function identity(d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = 1;
  return out;
}

/** Solves A X = B for X (A [d, d], B [d, m]) by LU with partial pivoting. A and B are not modified. */
export function solve(a: Float64Array, b: Float64Array, d: number, m: number): Float64Array {
  const lu = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let col = 0; col < d; col++) {
    let pivot = col;
    let best = Math.abs(lu[col * d + col] as number);
    for (let r = col + 1; r < d; r++) {
      const v = Math.abs(lu[r * d + col] as number);
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (best < 1e-300) throw new QuantError('solve: the matrix is singular');
    if (pivot !== col) {
      swapRows(lu, col, pivot, d);
      swapRows(x, col, pivot, m);
    }
    const diag = lu[col * d + col] as number;
    for (let r = col + 1; r < d; r++) {
      const f = (lu[r * d + col] as number) / diag;
      if (f === 0) continue;
      for (let c = col; c < d; c++) lu[r * d + c]! -= f * (lu[col * d + c] as number);
      for (let c = 0; c < m; c++) x[r * m + c]! -= f * (x[col * m + c] as number);
    }
  }
  for (let row = d - 1; row >= 0; row--) {
    const diag = lu[row * d + row] as number;
    for (let c = 0; c < m; c++) {
      let s = x[row * m + c] as number;
      for (let p = row + 1; p < d; p++) s -= (lu[row * d + p] as number) * (x[p * m + c] as number);
      x[row * m + c] = s / diag;
    }
  }
  return x;
}

function swapRows(a: Float64Array, i: number, j: number, width: number): void {
  for (let c = 0; c < width; c++) {
    const t = a[i * width + c] as number;
    a[i * width + c] = a[j * width + c] as number;
    a[j * width + c] = t;
  }
}

/**
 * Orthonormalizes the columns of a [d, d] matrix in place (modified Gram-Schmidt, twice for
 * stability). Used to draw random rotations and to remove float drift from learned ones.
 */
export function orthonormalizeColumns(a: Float64Array, d: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < d; j++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += (a[i * d + j] as number) * (a[i * d + p] as number);
        for (let i = 0; i < d; i++) a[i * d + j]! -= dot * (a[i * d + p] as number);
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += (a[i * d + j] as number) ** 2;
      norm = Math.sqrt(norm);
      if (norm < 1e-12) throw new QuantError('orthonormalizeColumns: the columns are linearly dependent');
      for (let i = 0; i < d; i++) a[i * d + j]! /= norm;
    }
  }
  return a;
}

/** max |R^T R - I|: how far a [d, d] matrix is from orthogonal. */
export function orthogonalityError(r: Matrix, d: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let dot = 0;
      for (let p = 0; p < d; p++) dot += (r[p * d + i] as number) * (r[p * d + j] as number);
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

/** ||a - b|| / ||b|| (Frobenius): the relative error the reports use. */
export function relativeError(approx: ArrayLike<number>, exact: ArrayLike<number>): number {
  if (approx.length !== exact.length) {
    throw new QuantError(`relativeError: lengths differ (${approx.length} vs ${exact.length})`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = exact[i] as number;
    const diff = (approx[i] as number) - e;
    num += diff * diff;
    den += e * e;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}
