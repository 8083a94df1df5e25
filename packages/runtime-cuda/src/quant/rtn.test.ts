import { describe, expect, it } from 'vitest';
import { QuantError } from './quant-error';
import { SeededRandom } from './random';
import { dequantize, quantizedBytes, quantizeRtn } from './rtn';

const random = new SeededRandom(3);
const k = 64;
const n = 24;
const weight = random.normals(k * n, 0.1);
weight[5] = 0;

describe('round-to-nearest 4-bit', () => {
  for (const symmetric of [false, true]) {
    for (const groupSize of [16, 32, 'channel'] as const) {
      it(`${symmetric ? 'symmetric' : 'asymmetric'}, group ${groupSize}: every weight within half a step`, () => {
        const q = quantizeRtn(weight, k, n, { groupSize, symmetric });
        const g = groupSize === 'channel' ? k : groupSize;
        expect(q.groupSize).toBe(g);
        expect(q.scales.length).toBe(n * Math.ceil(k / g));
        expect(Math.max(...q.codes)).toBeLessThanOrEqual(15);
        const back = dequantize(q);
        for (let i = 0; i < k; i++) {
          for (let col = 0; col < n; col++) {
            const scale = q.scales[col * (k / g) + Math.floor(i / g)] as number;
            expect(
              Math.abs((back[i * n + col] as number) - (weight[i * n + col] as number)),
            ).toBeLessThanOrEqual(scale / 2 + 1e-7);
          }
        }
        // Zero stays exactly zero: SplitQuantV2's sub-layers depend on it.
        expect(back[5]).toBe(0);
      });
    }
  }

  it('smaller groups quantize more accurately and cost more scale bytes', () => {
    const error = (g: number | 'channel') => {
      const back = dequantize(quantizeRtn(weight, k, n, { groupSize: g }));
      return Math.hypot(...back.map((v, i) => v - (weight[i] as number)));
    };
    expect(error(16)).toBeLessThan(error(32));
    expect(error(32)).toBeLessThan(error('channel'));
    const bytes16 = quantizedBytes(quantizeRtn(weight, k, n, { groupSize: 16 }));
    const bytesChannel = quantizedBytes(quantizeRtn(weight, k, n, { groupSize: 'channel' }));
    // Codes two per byte, one float scale per column, one zero-point byte per column (packed by row).
    expect(bytesChannel).toBe((n * k) / 2 + 4 * n + n);
    expect(bytes16).toBeGreaterThan(bytesChannel);
    expect(quantizedBytes(quantizeRtn(weight, k, n, { symmetric: true, groupSize: 'channel' }))).toBe(
      (n * k) / 2 + 4 * n,
    );
  });

  it('rejects shapes that do not match and non-finite weights', () => {
    expect(() => quantizeRtn(weight, k, n + 1)).toThrow(QuantError);
    expect(() => quantizeRtn(weight, k, n + 1)).toThrow(/k x n/);
    const bad = Float32Array.from(weight);
    bad[7] = Number.NaN;
    expect(() => quantizeRtn(bad, k, n)).toThrow(/non-finite value at index 7/);
    expect(() => quantizeRtn(weight, k, n, { groupSize: 0 })).toThrow(/groupSize/);
  });
});
