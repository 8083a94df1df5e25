import { describe, expect, it } from 'vitest';
import { chiSquare, chiSquareCritical } from './__fixtures__/tree-internals';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('matches the xoshiro128** reference output for state [1, 2, 3, 4]', () => {
    const random = SeededRandom.fromState([1, 2, 3, 4]);
    expect([random.nextUint32(), random.nextUint32(), random.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('is reproducible from a seed and resumable from its state', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => a.nextFloat());
    expect(Array.from({ length: 5 }, () => b.nextFloat())).toEqual(first);
    expect(new SeededRandom(43).nextFloat()).not.toBe(first[0]);
    const resumed = SeededRandom.fromState(a.getState());
    expect(resumed.nextUint32()).toBe(a.nextUint32());
    expect(new SeededRandom(2 ** 40 + 1).nextUint32()).not.toBe(new SeededRandom(1).nextUint32());
  });

  it('draws floats in [0, 1) and unbiased integers', () => {
    const random = new SeededRandom(9);
    const counts = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 50_000; i++) {
      const x = random.nextFloat();
      if (!(x >= 0 && x < 1)) outside++;
      counts[random.nextInt(10)]!++;
    }
    expect(outside).toBe(0);
    expect(chiSquare(counts, new Array<number>(10).fill(5000))).toBeLessThan(chiSquareCritical(9));
  });

  it('rejects bad seeds, bounds and states', () => {
    expect(() => new SeededRandom(1.5)).toThrow(InvalidArgumentError);
    expect(() => new SeededRandom(0).nextInt(0)).toThrow(/bound/);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(/all zeros/);
    expect(() => SeededRandom.fromState([1, 2, 3])).toThrow(/4 words/);
    expect(() => SeededRandom.fromState([1, 2, 3, 2 ** 32])).toThrow(/word 3/);
  });
});
