/**
 * Shape shared by SumTree and MinTree: an 8-ary tree stored level by level in one Float64Array.
 *
 * Why 8-ary: eight float64 children are one 64-byte cache line, so a descent from the root to a
 * leaf touches 7 lines at 2^20 leaves instead of the 20 of a binary heap, and the bottom levels
 * (the ones that miss the cache) are 3x fewer. Every sibling group starts at a multiple of 8
 * elements, so a group never straddles two groups.
 *
 * Layout: the leaf count is `capacity` rounded up to a power of two (at least 8). Level 0 is the
 * root (element 0, with 7 unused slots after it), level `depth` holds the leaves. The children of
 * node i of level L are elements `offsets[L + 1] + 8 * i + k` for k in 0..7; its parent is node
 * `i >> 3` of level L - 1. Slots past a level's last node are padding holding the neutral value
 * (0 for sums, +Infinity for minima), so combining all 8 slots of a group is always correct.
 */
import { checkPositiveInteger } from './validate';

export const FANOUT = 8;
/** Largest capacity accepted: node indices stay within int32, and the arrays within reason. */
export const MAX_CAPACITY = 2 ** 28;

export interface TreeLayout {
  /** Usable leaves (indices 0..capacity-1). */
  readonly capacity: number;
  /** Leaves allocated: capacity rounded up to a power of two, at least 8. */
  readonly leafCount: number;
  /** Levels below the root; the leaves are level `depth`. */
  readonly depth: number;
  /** Start of each level in the array (multiples of 8). */
  readonly offsets: Int32Array;
  /** Nodes in each level (level 0 has 1). */
  readonly sizes: Int32Array;
  /** Total elements of the backing array. */
  readonly length: number;
}

export function treeLayout(capacity: number): TreeLayout {
  checkPositiveInteger(capacity, 'capacity', MAX_CAPACITY);
  let leafCount = FANOUT;
  while (leafCount < capacity) leafCount *= 2;
  const bottomUp: number[] = [leafCount];
  while (bottomUp[bottomUp.length - 1]! > 1) {
    bottomUp.push(Math.ceil(bottomUp[bottomUp.length - 1]! / FANOUT));
  }
  const sizes = Int32Array.from(bottomUp.reverse());
  const offsets = new Int32Array(sizes.length);
  let length = 0;
  for (let level = 0; level < sizes.length; level++) {
    offsets[level] = length;
    length += Math.ceil(sizes[level]! / FANOUT) * FANOUT;
  }
  return { capacity, leafCount, depth: sizes.length - 1, offsets, sizes, length };
}
