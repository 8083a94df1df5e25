/**
 * Kurtosis of activations, the quantity KurTail drives down. For each token (a row of X [T, d]) the
 * kurtosis across its d channels is m4 / m2^2 of the centred values: 3 for a Gaussian, 1.8 for a
 * uniform, ~d/c when c channels carry massive outliers. A per-token 4-bit grid is set by the row's
 * extreme value, so a heavy-tailed row spends almost all its levels on a few channels.
 */
import { QuantError } from './quant-error';

/** Mean per-token kurtosis of X [T, d] (rows with zero variance are skipped). */
export function meanTokenKurtosis(x: ArrayLike<number>, d: number): number {
  if (d < 2 || x.length % d !== 0) {
    throw new QuantError(`meanTokenKurtosis: ${x.length} values do not form rows of d = ${d} (d >= 2)`);
  }
  const tokens = x.length / d;
  let total = 0;
  let counted = 0;
  for (let t = 0; t < tokens; t++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[t * d + j] as number;
    mean /= d;
    let m2 = 0;
    let m4 = 0;
    for (let j = 0; j < d; j++) {
      const c = (x[t * d + j] as number) - mean;
      const c2 = c * c;
      m2 += c2;
      m4 += c2 * c2;
    }
    m2 /= d;
    m4 /= d;
    if (m2 <= 0) continue;
    total += m4 / (m2 * m2);
    counted++;
  }
  return counted === 0 ? 0 : total / counted;
}

/**
 * Loss L(R) = mean over tokens of kurtosis(x_t R) and its Euclidean gradient dL/dR [d, d]. With
 * y = x R, c = y - mean(y), m_p = mean(c^p):
 *   dk/dy_j = (4 / d) (c_j^3 - mean(c^3)) / m2^2 - (4 / d) m4 c_j / m2^3,   dL/dR = X^T G / T.
 */
export function kurtosisLossAndGradient(
  x: Float64Array,
  rotation: Float64Array,
  d: number,
): { loss: number; gradient: Float64Array } {
  const tokens = x.length / d;
  const y = new Float64Array(d);
  const g = new Float64Array(d);
  const gradient = new Float64Array(d * d);
  let loss = 0;
  let counted = 0;
  for (let t = 0; t < tokens; t++) {
    const row = t * d;
    y.fill(0);
    for (let p = 0; p < d; p++) {
      const v = x[row + p] as number;
      if (v === 0) continue;
      const r = p * d;
      for (let j = 0; j < d; j++) y[j]! += v * (rotation[r + j] as number);
    }
    let mean = 0;
    for (let j = 0; j < d; j++) mean += y[j] as number;
    mean /= d;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (let j = 0; j < d; j++) {
      const c = (y[j] as number) - mean;
      y[j] = c;
      const c2 = c * c;
      m2 += c2;
      m3 += c2 * c;
      m4 += c2 * c2;
    }
    m2 /= d;
    m3 /= d;
    m4 /= d;
    if (m2 <= 1e-30) continue;
    counted++;
    loss += m4 / (m2 * m2);
    const a = 4 / (d * m2 * m2);
    const b = (4 * m4) / (d * m2 * m2 * m2);
    for (let j = 0; j < d; j++) {
      const c = y[j] as number;
      g[j] = a * (c * c * c - m3) - b * c;
    }
    for (let p = 0; p < d; p++) {
      const v = x[row + p] as number;
      if (v === 0) continue;
      const r = p * d;
      for (let j = 0; j < d; j++) gradient[r + j]! += v * (g[j] as number);
    }
  }
  if (counted === 0) return { loss: 0, gradient };
  for (let i = 0; i < gradient.length; i++) gradient[i]! /= counted;
  return { loss: loss / counted, gradient };
}
