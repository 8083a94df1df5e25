import { describe, expect, it } from 'vitest';
import { kmeans1d } from './kmeans-1d';
import { relativeError } from './linear-algebra';
import { dequantizeLinear, quantizeLinear } from './quantized-linear';
import { SeededRandom } from './random';
import { quantizeSplit, splitWeight } from './splitquant';

const random = new SeededRandom(11);

/** Gaussian weights with a sprinkling of large outliers, as in trained LLM layers. */
function heavyTailed(k: number, n: number): Float32Array {
  const w = random.normals(k * n, 0.02);
  for (let i = 0; i < (k * n) / 200; i++)
    w[random.int(k * n)] = (random.next() < 0.5 ? -1 : 1) * (0.15 + 0.1 * random.next());
  return w;
}

describe('1-D k-means', () => {
  it('finds three separated groups and puts boundaries between them', () => {
    const values = [
      ...random.normals(300, 0.1).map((v) => v - 5),
      ...random.normals(300, 0.1),
      ...random.normals(300, 0.1).map((v) => v + 4),
    ];
    const { centers, boundaries } = kmeans1d(values, 3);
    expect(centers[0]).toBeCloseTo(-5, 1);
    expect(centers[1]).toBeCloseTo(0, 1);
    expect(centers[2]).toBeCloseTo(4, 1);
    expect(boundaries[0]).toBeCloseTo(-2.5, 1);
    expect(boundaries[1]).toBeCloseTo(2, 1);
  });
});

describe('SplitQuantV2', () => {
  const k = 128;
  const n = 64;
  const w = heavyTailed(k, n);

  it('splits a layer into lower / middle / upper parts that add up to it exactly', () => {
    const { parts, boundaries } = splitWeight(w, k, n);
    const [lower, middle, upper] = parts;
    let mismatches = 0;
    for (let i = 0; i < w.length; i++) {
      const v = w[i] as number;
      if ((lower[i] as number) + (middle[i] as number) + (upper[i] as number) !== v) mismatches++;
      // Each weight lives in exactly one part, the one its cluster names.
      const home = v < boundaries[0] ? lower : v < boundaries[1] ? middle : upper;
      if (home[i] !== v) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(boundaries[0]).toBeLessThan(0);
    expect(boundaries[1]).toBeGreaterThan(0);
  });

  it('quantizes each part with its own scales and beats plain RTN on heavy-tailed weights', () => {
    const split = quantizeSplit(w, k, n, { groupSize: 32 });
    expect(split.parts).toHaveLength(3);
    expect(new Set(split.parts.map((p) => p.scales))).toHaveProperty('size', 3);
    const rtn = quantizeLinear(w, k, n, { method: 'rtn', groupSize: 32 });
    const splitError = relativeError(dequantizeLinear(split), w);
    const rtnError = relativeError(dequantizeLinear(rtn), w);
    // Measured here: about 0.1x of RTN's error with these outliers, at 3x the storage.
    expect(splitError).toBeLessThan(0.5 * rtnError);
  });
});
