/**
 * MinTree: values at leaves 0..capacity-1, every internal node the minimum of its children, so
 * the root is the smallest value in O(1) after O(log n) updates. The replay buffer keeps one beside
 * its SumTree to normalize importance-sampling weights by the largest weight, which belongs to the
 * smallest priority. Unset leaves (and padding) hold +Infinity, the neutral value of min.
 *
 * Same 8-ary layout as SumTree (see tree-layout.ts); minima are exact, so no rebuild is ever
 * needed except after bulk writes.
 */
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { treeLayout } from './tree-layout';

// The `3`s in shifts below are the 8-way fan-out (see tree-layout.ts), written as literals: an
// imported constant costs a module-binding load and a TDZ check per use inside the hot loops.
import { checkCount, checkIndex, isIndex } from './validate';

export class MinTree {
  readonly capacity: number;
  private readonly tree: Float64Array;
  private readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  private readonly depth: number;
  private readonly leafOffset: number;
  private pending = new Int32Array(0);

  constructor(capacity: number) {
    const layout = treeLayout(capacity);
    this.capacity = capacity;
    this.tree = new Float64Array(layout.length).fill(Number.POSITIVE_INFINITY);
    this.offsets = layout.offsets;
    this.sizes = layout.sizes;
    this.depth = layout.depth;
    this.leafOffset = layout.offsets[layout.depth]!;
  }

  /** Smallest leaf value; +Infinity when nothing is set. */
  get min(): number {
    return this.tree[0]!;
  }

  get(index: number): number {
    checkIndex(index, this.capacity);
    return this.tree[this.leafOffset + index]!;
  }

  /** Sets one leaf (any number but NaN; +Infinity means unset) and recomputes its ancestors. */
  set(index: number, value: number): void {
    checkIndex(index, this.capacity);
    if (Number.isNaN(value)) throw new InvalidPriorityError(value, undefined, 'value');
    this.tree[this.leafOffset + index] = value;
    const { tree, offsets } = this;
    let node = index;
    for (let level = this.depth; level > 0; level--) {
      const group = offsets[level]! + ((node >> 3) << 3);
      node >>= 3;
      const position = offsets[level - 1]! + node;
      const value = minGroup(tree, group);
      // An unchanged parent means every ancestor is still right: stop climbing.
      if (tree[position] === value) break;
      tree[position] = value;
    }
  }

  /**
   * Sets `count` leaves, then recomputes ancestors level by level, each distinct parent once when
   * the indices are sorted. Everything is validated before anything is written.
   */
  setBatch(indices: ArrayLike<number>, values: ArrayLike<number>, count?: number): void {
    const n = checkCount(count, indices, values, 'setBatch(indices, values)');
    const capacity = this.capacity;
    for (let i = 0; i < n; i++) {
      const index = indices[i]!;
      if (!isIndex(index, capacity)) throw new IndexOutOfRangeError(index, capacity, `indices[${i}]`);
      if (Number.isNaN(values[i]!)) throw new InvalidPriorityError(values[i]!, i, 'value');
    }
    if (this.pending.length < n) this.pending = new Int32Array(Math.max(n, 2 * this.pending.length));
    const { tree, offsets, leafOffset, pending } = this;
    // Reading each old leaf before writing it turns the write's cache miss into a load miss,
    // which the CPU overlaps across iterations; an unchanged leaf needs no ancestor update.
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const index = indices[i]!;
      const value = values[i]!;
      if (tree[leafOffset + index] === value) continue;
      tree[leafOffset + index] = value;
      pending[changed++] = index;
    }
    let m = changed;
    for (let level = this.depth; level > 0; level--) {
      const childOffset = offsets[level]!;
      const parentOffset = offsets[level - 1]!;
      let written = 0;
      let last = -1;
      for (let r = 0; r < m; r++) {
        const parent = pending[r]! >> 3;
        if (parent === last) continue;
        last = parent;
        const value = minGroup(tree, childOffset + (parent << 3));
        // Only a parent whose value changed needs its own parent recomputed.
        if (tree[parentOffset + parent] === value) continue;
        tree[parentOffset + parent] = value;
        pending[written++] = parent;
      }
      m = written;
    }
  }

  /** Replaces all leaves (missing ones become +Infinity) and rebuilds the tree: O(capacity). */
  setAll(values: ArrayLike<number>): void {
    if (values.length > this.capacity) {
      throw new InvalidArgumentError(
        `setAll: got ${values.length} values for a tree of capacity ${this.capacity}`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (Number.isNaN(values[i]!)) throw new InvalidPriorityError(values[i]!, i, 'value');
    }
    this.tree.fill(Number.POSITIVE_INFINITY, this.leafOffset);
    for (let i = 0; i < values.length; i++) this.tree[this.leafOffset + i] = values[i]!;
    this.rebuild();
  }

  /** Recomputes every internal node from the leaves. */
  rebuild(): void {
    const { tree, offsets, sizes } = this;
    for (let level = this.depth - 1; level >= 0; level--) {
      const parentOffset = offsets[level]!;
      const childOffset = offsets[level + 1]!;
      for (let node = 0; node < sizes[level]!; node++) {
        tree[parentOffset + node] = minGroup(tree, childOffset + (node << 3));
      }
    }
  }

  /** Unsets every leaf (+Infinity). */
  clear(): void {
    this.tree.fill(Number.POSITIVE_INFINITY);
  }

  /** A copy of leaves 0..capacity-1. */
  toArray(): Float64Array {
    return this.tree.slice(this.leafOffset, this.leafOffset + this.capacity);
  }
}

/**
 * Minimum of the 8 slots of a sibling group (padding is +Infinity, so it never wins), taken
 * pairwise so the dependency chain is 3 deep rather than 7.
 */
export function minGroup(tree: Float64Array, base: number): number {
  return Math.min(
    Math.min(Math.min(tree[base]!, tree[base + 1]!), Math.min(tree[base + 2]!, tree[base + 3]!)),
    Math.min(Math.min(tree[base + 4]!, tree[base + 5]!), Math.min(tree[base + 6]!, tree[base + 7]!)),
  );
}
