import { describe, expect, it } from 'vitest';
import { boxMuller, gaussianAt, logOpenUniform, quantizerFor, stochasticRoundValue } from './noise';

describe('noise', () => {
  it('computes ln of the open uniform to within 1e-10 relative of Math.log', () => {
    for (const w of [0, 1, 2, 3, 1000, 0x7fffffff, 0x80000000, 0xb504f333, 0xfffffffe, 0xffffffff]) {
      const u = (2 * w + 1) / 2 ** 33;
      const want = Math.log(u);
      expect(Math.abs(logOpenUniform(w) - want)).toBeLessThanOrEqual(1e-10 * Math.abs(want) + 1e-300);
    }
  });

  it('computes Box-Muller sin/cos within float32 rounding of Math.cos/Math.sin', () => {
    const out = new Float64Array(2);
    for (let k = 0; k < 2000; k++) {
      const w0 = (k * 2654435761) >>> 0;
      const w1 = (k * 40503 + 12345 * k * k) >>> 0;
      boxMuller(w0, w1, out);
      const r = Math.sqrt(-2 * Math.log((2 * w0 + 1) / 2 ** 33));
      const theta = (2 * Math.PI * w1) / 2 ** 32;
      expect(Math.abs(out[0]! - r * Math.cos(theta))).toBeLessThan(1e-6 * Math.max(1, r));
      expect(Math.abs(out[1]! - r * Math.sin(theta))).toBeLessThan(1e-6 * Math.max(1, r));
    }
  });

  it('produces standard normal moments', () => {
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let quart = 0;
    for (let i = 0; i < n; i++) {
      const z = gaussianAt(7, 3, i);
      sum += z;
      sq += z * z;
      quart += z * z * z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(quart / n - 3)).toBeLessThan(0.08);
  });

  it('stochastic rounding is unbiased and lands on the grid', () => {
    const q = quantizerFor(-3, 3, 4);
    const x = 0.37;
    let mean = 0;
    const n = 100_000;
    let offGrid = 0;
    for (let i = 0; i < n; i++) {
      const v = stochasticRoundValue(x, q, (i + 0.5) / n);
      mean += v;
      const code = v * q.scale + q.zeroPoint;
      if (Math.abs(code - Math.round(code)) > 1e-9) offGrid++;
    }
    expect(offGrid).toBe(0);
    expect(Math.abs(mean / n - x)).toBeLessThan(1e-4);
  });
});
