import { describe, expect, it } from 'vitest';
import { dequantizeInt4, int4FromCodes, quantizeInt4, validateInt4 } from './int4-matrix';
import { gaussianAt, quantizerFor } from './noise';
import { typescriptKernels as k } from './typescript-kernels';

describe('TypeScript kernels', () => {
  it('generate the same Gaussians in one call or in chunks at any offset', () => {
    const whole = new Float32Array(1001);
    k.gaussian(whole, 9, 4, 0);
    const parts = new Float32Array(1001);
    k.gaussian(parts.subarray(0, 333), 9, 4, 0);
    k.gaussian(parts.subarray(333), 9, 4, 333);
    expect(parts).toEqual(whole);
    expect(whole[500]).toBe(gaussianAt(9, 4, 500));
    const range = k.gaussianRange(9, 4, 1001);
    expect(range.min).toBe(Math.min(...whole));
    expect(range.max).toBe(Math.max(...whole));
  });

  it('SR-quantize to the asymmetric grid of the input range, unbiased on average', () => {
    const n = 20_000;
    const input = new Float32Array(n).map((_, i) => Math.sin(i) * 2);
    const out = new Float32Array(n);
    const codes = new Uint8Array(n);
    const q = k.stochasticRound(input, out, 4, 1, 0, codes);
    expect(q.levels).toBe(15);
    expect(Math.max(...codes)).toBeLessThanOrEqual(15);
    let bias = 0;
    for (let i = 0; i < n; i++) {
      expect(out[i]).toBeCloseTo((codes[i]! - q.zeroPoint) / q.scale, 5);
      expect(Math.abs(out[i]! - input[i]!)).toBeLessThanOrEqual(1 / q.scale + 1e-6);
      bias += out[i]! - input[i]!;
    }
    expect(Math.abs(bias / n)).toBeLessThan(0.01 / q.scale);
  });

  it('computes x dequant(W) + s (x A) B like a dense float reference', () => {
    const [m, kk, n, rank] = [3, 70, 9, 2];
    const w = new Float32Array(kk * n).map((_, i) => Math.cos(i * 0.37) * 0.2);
    const q = quantizeInt4(w, kk, n, 32);
    validateInt4(q);
    const deq = dequantizeInt4(q);
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(deq[i]! - w[i]!)).toBeLessThanOrEqual(0.4 / 15 / 2 + 1e-6);
    const x = new Float32Array(m * kk).map((_, i) => Math.sin(i));
    const a = new Float32Array(kk * rank).map((_, i) => Math.sin(i * 3) * 0.1);
    const b = new Float32Array(rank * n).map((_, i) => Math.cos(i * 5) * 0.1);
    const out = new Float32Array(m * n);
    k.matmulInt4(x, m, q, { a, b, rank, scale: 1.5 }, out);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < n; j++) {
        let ref = 0;
        for (let i = 0; i < kk; i++) ref += x[r * kk + i]! * deq[i * n + j]!;
        for (let t = 0; t < rank; t++) {
          let h = 0;
          for (let i = 0; i < kk; i++) h += x[r * kk + i]! * a[i * rank + t]!;
          ref += 1.5 * h * b[t * n + j]!;
        }
        expect(out[r * n + j]).toBeCloseTo(ref, 4);
      }
    }
    // The same weights given as one-code-per-byte MatMulNBits codes pack to the same bytes.
    const codes = new Uint8Array(n * kk);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < kk; i++) {
        const byte = q.packed[j * 48 + (i >> 1)]!;
        codes[j * kk + i] = (i & 1) === 0 ? byte & 15 : byte >> 4;
      }
    }
    expect(
      int4FromCodes({ k: kk, n, blockSize: 32, codes, scales: q.scales, zeroPoints: q.zeroPoints! }).packed,
    ).toEqual(q.packed);
    expect(() => quantizeInt4(w, kk, n, 24)).toThrow(/power of two/);
  });

  it('perturbs, flips and restores exactly, with hints and a ledger', () => {
    const n = 4099;
    const p = new Float32Array(n).map((_, i) => gaussianAt(2, 0, i) * (i % 5 === 0 ? 1e-5 : 0.02));
    const before = new Uint32Array(p.slice().buffer);
    const r = k.gaussianRange(4, 1, n + 3);
    const noise = { seed: 4, tensor: 1, quantizer: quantizerFor(r.min, r.max, 8) };
    const hints = new Uint8Array(Math.ceil(n / 8));
    const li = new Uint32Array(n);
    const lv = new Float32Array(n);
    const count = k.perturbPlus(p, 3, noise, 1e-3, hints, li, lv);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(n);
    k.perturbMinus(p, 3, noise, 1e-3, hints, li, lv, count);
    for (let i = 0; i < n; i += 97) {
      const d = Math.fround(Math.fround(p[i]!));
      expect(Number.isFinite(d)).toBe(true);
    }
    k.perturbRestore(p, 3, noise, 1e-3, hints, li, lv, count);
    expect(new Uint32Array(p.buffer)).toEqual(before);
  });
});
