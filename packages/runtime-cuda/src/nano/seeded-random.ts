/**
 * Deterministic numbers for chimera-nano's frozen weights: same seed, same weights, on every
 * machine (no Math.random, no platform math beyond IEEE operations on float64).
 */

/** splitmix32: a small, well-mixed 32-bit generator; returns floats in [0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}

/** Standard normal samples (Box-Muller on `seededUniform`). */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * A random orthogonal n x n matrix (row-major), scaled by `gain`: Gram-Schmidt on Gaussian rows,
 * twice for numerical orthogonality. Orthogonal frozen layers keep the lexical similarity of the
 * hashed embeddings (a Gaussian matrix is badly conditioned and scrambles it: see
 * nano-model-findings.md).
 */
export function orthogonalMatrix(n: number, seed: number, gain = 1): Float32Array {
  const normal = seededNormal(seed);
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) row[j] = normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const prev of rows) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += row[j]! * prev[j]!;
        for (let j = 0; j < n; j++) row[j]! -= dot * prev[j]!;
      }
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += row[j]! * row[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < n; j++) row[j]! /= norm;
    rows.push(row);
  }
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = rows[i]![j]! * gain;
  return out;
}
