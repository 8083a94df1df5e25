/**
 * Small dense linear algebra in float64 for composing adapters: products, a thin QR (modified
 * Gram-Schmidt, orthogonalized twice) and the SVD (one-sided Jacobi, accurate to a few ulps on the
 * sizes adapters have). The weighted sum of LoRA updates is itself low rank, so its SVD goes
 * through QR of the stacked factors (`productSvd`): O((m + n) R^2) instead of O(m n min(m, n)).
 */

/** Row-major [rows, cols] matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows * cols);
  if (data) for (let i = 0; i < out.length; i++) out[i] = data[i]!;
  return { rows, cols, data: out };
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows)
    throw new RangeError(`cannot multiply [${a.rows}, ${a.cols}] by [${b.rows}, ${b.cols}]`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    const row = i * b.cols;
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      if (v === 0) continue;
      const bRow = k * b.cols;
      for (let j = 0; j < b.cols; j++) out[row + j]! += v * b.data[bRow + j]!;
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

export function transposed(a: Matrix): Matrix {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!;
  return { rows: a.cols, cols: a.rows, data: out };
}

/** Thin QR: a = q r with q [rows, cols] (orthonormal or zero columns) and r [cols, cols] upper triangular. */
export function thinQr(a: Matrix): { q: Matrix; r: Matrix } {
  const { rows, cols } = a;
  const q = new Float64Array(a.data);
  const r = new Float64Array(cols * cols);
  let scale = 0;
  for (let i = 0; i < a.data.length; i++) scale = Math.max(scale, Math.abs(a.data[i]!));
  const tiny = scale * 1e-13 * Math.sqrt(rows);
  for (let j = 0; j < cols; j++) {
    // Two passes of modified Gram-Schmidt keep q orthogonal to working precision.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[i * cols + k]! * q[i * cols + j]!;
        r[k * cols + j]! += dot;
        for (let i = 0; i < rows; i++) q[i * cols + j]! -= dot * q[i * cols + k]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += q[i * cols + j]! ** 2;
    norm = Math.sqrt(norm);
    // A dependent column: keep a zero column rather than normalizing rounding noise.
    if (norm <= tiny) {
      for (let i = 0; i < rows; i++) q[i * cols + j] = 0;
      r[j * cols + j] = 0;
      continue;
    }
    r[j * cols + j] = norm;
    for (let i = 0; i < rows; i++) q[i * cols + j]! /= norm;
  }
  return { q: { rows, cols, data: q }, r: { rows: cols, cols, data: r } };
}

export interface Svd {
  /** [rows, p] */
  u: Matrix;
  /** p singular values, descending. */
  s: Float64Array;
  /** [cols, p] (so a = u diag(s) v^T) */
  v: Matrix;
}

/** Thin SVD by one-sided Jacobi rotations, p = min(rows, cols). */
export function svd(a: Matrix): Svd {
  if (a.rows < a.cols) {
    const t = svd(transposed(a));
    return { u: t.v, s: t.s, v: t.u };
  }
  const { rows: m, cols: n } = a;
  const w = new Float64Array(a.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const wp = w[i * n + p]!;
          const wq = w[i * n + q]!;
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const wp = w[i * n + p]!;
          const wq = w[i * n + q]!;
          w[i * n + p] = c * wp - s * wq;
          w[i * n + q] = s * wp + c * wq;
        }
        for (let i = 0; i < n; i++) {
          const vp = v[i * n + p]!;
          const vq = v[i * n + q]!;
          v[i * n + p] = c * vp - s * vq;
          v[i * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += w[i * n + j]! ** 2;
    sigma[j] = Math.sqrt(norm);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sigma[y]! - sigma[x]!);
  const u = new Float64Array(m * n);
  const vs = new Float64Array(n * n);
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    s[k] = sigma[j]!;
    for (let i = 0; i < m; i++) u[i * n + k] = sigma[j]! > 0 ? w[i * n + j]! / sigma[j]! : 0;
    for (let i = 0; i < n; i++) vs[i * n + k] = v[i * n + j]!;
  });
  return { u: { rows: m, cols: n, data: u }, s, v: { rows: n, cols: n, data: vs } };
}

/** SVD of b a (b [m, R], a [R, n]) without forming the m x n product. */
export function productSvd(b: Matrix, a: Matrix): Svd {
  const qb = thinQr(b);
  const qa = thinQr(transposed(a));
  const core = svd(multiply(qb.r, transposed(qa.r)));
  return { u: multiply(qb.q, core.u), s: core.s, v: multiply(qa.q, core.v) };
}
