/**
 * Test-only access to a tree's private arrays, to check the structural invariants directly
 * (every internal node is exactly the sum, or minimum, of its 8 children).
 */
import type { MinTree } from '../min-tree';
import type { SumTree } from '../sum-tree';

interface Internals {
  tree: Float64Array;
  offsets: Int32Array;
  sizes: Int32Array;
  depth: number;
}

function internals(tree: SumTree | MinTree): Internals {
  return tree as unknown as Internals;
}

/** Every internal node that differs from combine(children), as readable strings (empty when none). */
export function invariantViolations(
  tree: SumTree | MinTree,
  combine: (children: number[]) => number,
): string[] {
  const { tree: t, offsets, sizes, depth } = internals(tree);
  const bad: string[] = [];
  for (let level = 0; level < depth; level++) {
    for (let node = 0; node < sizes[level]!; node++) {
      const base = offsets[level + 1]! + node * 8;
      const children = Array.from(t.subarray(base, base + 8));
      const expected = combine(children);
      const actual = t[offsets[level]! + node]!;
      if (actual !== expected) bad.push(`level ${level} node ${node}: ${actual} != ${expected}`);
    }
  }
  return bad;
}

/** Pairwise sum ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)), the order the tree uses. */
export const sumChildren = (c: number[]): number =>
  c[0]! + c[1]! + (c[2]! + c[3]!) + (c[4]! + c[5]! + (c[6]! + c[7]!));
export const minChildren = (children: number[]): number => Math.min(...children);

/** Neumaier-compensated sum: accurate to about one rounding whatever n is. */
export function accurateSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + compensation;
}

/** Upper quantile of chi-square with `df` degrees of freedom (Wilson-Hilferty; z = 3.09 is p = 0.001). */
export function chiSquareCritical(df: number, z = 3.09): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let chi = 0;
  for (let i = 0; i < observed.length; i++) chi += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
  return chi;
}
