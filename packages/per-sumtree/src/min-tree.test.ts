import { describe, expect, it } from 'vitest';
import { invariantViolations, minChildren } from './__fixtures__/tree-internals';
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { MinTree } from './min-tree';
import { SeededRandom } from './seeded-random';

describe('MinTree', () => {
  it('tracks the minimum through sets, batch sets and overwrites', () => {
    const tree = new MinTree(100);
    expect(tree.min).toBe(Number.POSITIVE_INFINITY);
    tree.set(40, 3);
    tree.set(7, 5);
    expect(tree.min).toBe(3);
    tree.set(40, 9); // the minimum leaves: the root must climb back up to 5
    expect(tree.min).toBe(5);
    tree.setBatch([99, 0, 99], [0.5, 2, 4]);
    expect(tree.min).toBe(2);
    expect(tree.get(99)).toBe(4);
    tree.setAll([7, 8]);
    expect(tree.min).toBe(7);
    expect(tree.get(40)).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps every internal node equal to the minimum of its children', () => {
    const tree = new MinTree(777);
    const random = new SeededRandom(5);
    const model = new Float64Array(777).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 20_000; i++) {
      const index = random.nextInt(777);
      const value = random.nextFloat() * 1000;
      tree.set(index, value);
      model[index] = value;
    }
    const indices = Int32Array.from({ length: 300 }, () => random.nextInt(777));
    const values = Float64Array.from({ length: 300 }, () => random.nextFloat());
    tree.setBatch(indices, values);
    indices.forEach((index, i) => {
      model[index] = values[i]!;
    });
    expect(invariantViolations(tree, minChildren)).toEqual([]);
    expect(tree.min).toBe(Math.min(...model));
    expect(tree.toArray()).toEqual(model);
  });

  it('rejects NaN and bad indices without changing anything', () => {
    const tree = new MinTree(4);
    tree.set(1, 2);
    expect(() => tree.set(1, Number.NaN)).toThrow(InvalidPriorityError);
    expect(() => tree.set(4, 1)).toThrow(IndexOutOfRangeError);
    expect(() => tree.setBatch([0, 1], [1, Number.NaN])).toThrow(/position 1/);
    expect(tree.toArray()).toEqual(
      new Float64Array([Number.POSITIVE_INFINITY, 2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]),
    );
    tree.clear();
    expect(tree.min).toBe(Number.POSITIVE_INFINITY);
  });
});
