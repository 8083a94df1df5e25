import { describe, expect, it } from 'vitest';
import { accurateSum, invariantViolations, sumChildren } from './__fixtures__/tree-internals';
import { SEARCH_CHUNK } from './descend-kernel';
import { EmptyBufferError } from './errors/empty-buffer-error';
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { SeededRandom } from './seeded-random';
import { SumTree } from './sum-tree';

/** Reference search over a plain array: first i whose running sum exceeds mass, skipping zeros. */
function referenceFind(values: number[], mass: number): number {
  let running = 0;
  let lastPositive = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! > 0) lastPositive = i;
    running += values[i]!;
    if (mass < running && values[i]! > 0) return i;
  }
  return lastPositive;
}

describe('SumTree', () => {
  it('keeps the total and answers prefix-sum searches', () => {
    // #region sum-tree
    const tree = new SumTree(5);
    tree.setBatch([0, 1, 2, 3, 4], [1, 0, 2, 3, 4]);
    tree.total; // 10
    tree.find(0.5); // 0: mass [0, 1) belongs to leaf 0
    tree.find(1); // 2: leaf 1 has no mass, leaf 2 owns [1, 3)
    tree.find(9.99); // 4
    const out = new Int32Array(3);
    tree.findBatch(new Float64Array([0.5, 3, 6]), out); // Int32Array [0, 3, 4]
    // #endregion
    expect(tree.total).toBe(10);
    expect(tree.find(0.5)).toBe(0);
    expect(tree.find(1)).toBe(2);
    expect(tree.find(2.999)).toBe(2);
    expect(tree.find(3)).toBe(3);
    expect(tree.find(9.99)).toBe(4);
    expect(Array.from(out)).toEqual([0, 3, 4]);
  });

  it('returns the last positive leaf for mass == total, never padding or an empty leaf', () => {
    const tree = new SumTree(20); // 32 leaves allocated: 20..31 are padding
    tree.set(3, 1);
    tree.set(7, 2);
    expect(tree.find(tree.total)).toBe(7);
    tree.set(7, 0);
    expect(tree.find(tree.total)).toBe(3);
    expect(tree.find(0)).toBe(3);
  });

  it('returns the last positive leaf for mass == total when the top level has padding', () => {
    // 128 and 2^17 leaves: the top group holds 2 and 4 nodes, the rest of it is padding.
    for (const capacity of [100, 1 << 17]) {
      const tree = new SumTree(capacity);
      tree.setAll(new Float64Array(capacity).fill(1));
      expect(tree.find(tree.total)).toBe(capacity - 1);
      tree.set(capacity - 1, 0);
      tree.set(capacity - 2, 0);
      expect(tree.find(tree.total)).toBe(capacity - 3);
      const out = tree.findBatch([0, tree.total], new Int32Array(2));
      expect(Array.from(out)).toEqual([0, capacity - 3]);
    }
  });

  it('runs batches larger than one search chunk', () => {
    const capacity = 3000;
    const tree = new SumTree(capacity);
    const random = new SeededRandom(5);
    tree.setAll(
      Float64Array.from({ length: capacity }, () => (random.nextFloat() < 0.5 ? 0 : random.nextFloat())),
    );
    const count = 2 * SEARCH_CHUNK + 77;
    const draws = Float64Array.from({ length: count }, () => random.nextFloat() * tree.total);
    const out = tree.findBatch(draws, new Int32Array(count));
    for (let b = 0; b < count; b++) expect(out[b]).toBe(tree.find(draws[b]!));
    // Stratified: the masses continue across chunks, so indices keep increasing.
    const sampled = tree.sampleStratified(count, new SeededRandom(9), new Int32Array(count));
    const again = new SeededRandom(9);
    const segment = tree.total / count;
    for (let b = 0; b < count; b++) {
      expect(sampled[b]).toBe(tree.find(Math.min((b + again.nextFloat()) * segment, tree.total)));
      if (b > 0) expect(sampled[b]!).toBeGreaterThanOrEqual(sampled[b - 1]!);
    }
  });

  it('agrees with a linear scan on random trees, and findBatch agrees with find', () => {
    const random = new SeededRandom(7);
    for (const capacity of [1, 7, 8, 9, 64, 100, 513, 4096]) {
      const tree = new SumTree(capacity);
      const values: number[] = [];
      for (let i = 0; i < capacity; i++) values.push(random.nextFloat() < 0.3 ? 0 : random.nextFloat() * 10);
      values[capacity - 1] = 1; // at least one positive leaf
      tree.setAll(values);
      const masses = new Float64Array(300);
      for (let b = 0; b < masses.length; b++) masses[b] = random.nextFloat() * tree.total;
      masses.sort();
      const out = tree.findBatch(masses, new Int32Array(masses.length));
      for (let b = 0; b < masses.length; b++) {
        const leaf = tree.find(masses[b]!);
        expect(out[b]).toBe(leaf);
        expect(values[leaf]).toBeGreaterThan(0);
        const expected = referenceFind(values, masses[b]!);
        // The tree sums in a different order than the scan: they may differ only at a boundary.
        if (leaf !== expected) {
          const prefix = accurateSum(values.slice(0, Math.max(leaf, expected)));
          expect(Math.abs(prefix - masses[b]!)).toBeLessThan(1e-9 * tree.total);
        }
      }
    }
  });

  it('keeps every internal node equal to the sum of its children', () => {
    const tree = new SumTree(1000);
    const random = new SeededRandom(3);
    for (let i = 0; i < 5000; i++) tree.set(random.nextInt(1000), random.nextFloat() * 100);
    tree.setBatch([5, 900, 5, 17], [1, 2, 3, 4]);
    expect(invariantViolations(tree, sumChildren)).toEqual([]);
    expect(tree.get(5)).toBe(3); // last write of a repeated index wins
  });

  it('rejects bad input with typed errors and changes nothing', () => {
    const tree = new SumTree(10);
    tree.set(1, 5);
    expect(() => tree.set(-1, 1)).toThrow(IndexOutOfRangeError);
    expect(() => tree.set(10, 1)).toThrow(/expected an integer in \[0, 9\]/);
    expect(() => tree.set(1.5, 1)).toThrow(IndexOutOfRangeError);
    expect(() => tree.set(2, -1)).toThrow(InvalidPriorityError);
    expect(() => tree.set(2, Number.NaN)).toThrow(/NaN/);
    expect(() => tree.set(2, Number.POSITIVE_INFINITY)).toThrow(/infinite/);
    expect(() => tree.setBatch([2, 3], [1, -2])).toThrow(/position 1 is negative/);
    expect(() => tree.setBatch([2, 30], [1, 2])).toThrow(/indices\[1\]/);
    expect(() => tree.setBatch([2, 3], [1])).toThrow(InvalidArgumentError);
    expect(tree.toArray()).toEqual(new Float64Array([0, 5, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(tree.total).toBe(5);
    expect(() => tree.find(-0.1)).toThrow(InvalidArgumentError);
    expect(() => tree.find(5.01)).toThrow(/must be in \[0, total = 5\]/);
    expect(() => tree.find(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => tree.findBatch([1, 2], new Int32Array(1))).toThrow(/output of length >= 2/);
    expect(() => tree.findBatch([1, 7], new Int32Array(2))).toThrow(/masses\[1\]/);
    expect(() => new SumTree(0)).toThrow(/capacity must be an integer/);
    const huge = new SumTree(2);
    huge.setAll([Number.MAX_VALUE, Number.MAX_VALUE]);
    expect(() => huge.find(1)).toThrow(/overflowed to Infinity/);
    tree.clear();
    expect(() => tree.find(0)).toThrow(EmptyBufferError);
    expect(() => tree.sampleStratified(4, new SeededRandom(1), new Int32Array(4))).toThrow(EmptyBufferError);
  });

  it('samples stratified batches: one draw per equal-mass segment, indices increasing', () => {
    const tree = new SumTree(64);
    for (let i = 0; i < 64; i++) tree.set(i, 1); // uniform: segment b of 16 covers leaves 4b..4b+3
    const out = tree.sampleStratified(16, new SeededRandom(11), new Int32Array(16));
    for (let b = 0; b < 16; b++) expect(Math.floor(out[b]! / 4)).toBe(b);
  });

  it('keeps float drift bounded over 10^7 updates (and a running total would not)', {
    timeout: 180_000,
  }, () => {
    const capacity = 512;
    const tree = new SumTree(capacity);
    const random = new SeededRandom(2024);
    // Magnitudes from 1e-6 to 1e3, where cancellation makes incremental totals drift.
    const pool = new Float64Array(1 << 16);
    for (let i = 0; i < pool.length; i++) pool[i] = 10 ** (random.nextFloat() * 9 - 6);
    const leaves = new Float64Array(capacity);
    let runningTotal = 0; // what "total += new - old" bookkeeping would report
    let worstTree = 0;
    let worstRunning = 0;
    const bound = 3 * 3 * 2 ** -53; // 3 levels above the leaves, each a 3-deep pairwise sum
    for (let checkpoint = 0; checkpoint < 10; checkpoint++) {
      for (let step = 0; step < 1_000_000; step++) {
        const bits = random.nextUint32(); // one draw: 9 bits of index, 16 bits of value
        const index = bits & (capacity - 1);
        const value = pool[bits >>> 16]!;
        runningTotal += value - leaves[index]!;
        leaves[index] = value;
        tree.set(index, value);
      }
      const exact = accurateSum(leaves);
      worstTree = Math.max(worstTree, Math.abs(tree.total - exact) / exact);
      worstRunning = Math.max(worstRunning, Math.abs(runningTotal - exact) / exact);
    }
    expect(worstTree).toBeLessThanOrEqual(bound);
    expect(worstRunning).toBeGreaterThan(bound); // the check is sharp enough to see real drift
    expect(invariantViolations(tree, sumChildren)).toEqual([]);
  });
});
