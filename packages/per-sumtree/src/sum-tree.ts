/**
 * SumTree: non-negative values at leaves 0..capacity-1, every internal node the sum of its
 * children, so the root is the total and a prefix-sum search finds the leaf where the cumulative
 * mass crosses a value in O(log n). This is the index behind proportional prioritized replay.
 *
 * Exactness (why no drift accumulates): an update never adds a delta to its ancestors; it
 * recomputes each ancestor from its 8 children, always in the same pairwise order (see
 * `sumGroup`). Every internal node is therefore a fixed function of the current leaves, whatever
 * the update history, and the root's error against the exact sum stays within the summation bound
 * (about 3 * depth * 2^-53 relative: three rounded additions per level). `rebuild()` recomputes
 * everything from the leaves on demand (after writing leaves in bulk); it is never needed to clear
 * accumulated error, since there is none.
 *
 * Search semantics: within a sibling group the descent is the binary descent of the 3 binary
 * levels the group packs, with their sums formed on the fly in the tree's own pairwise order: go
 * right of the left half L = (c0 + c1) + (c2 + c3) when mass >= L (subtracting L), then likewise
 * for the pair and the single child (descend-kernel.ts). A zero-mass subtree is never chosen (the
 * mass is never below a zero sum). Rounding can push a mass past a group's end; the result is then
 * the nearest leaf with positive mass at or before where the descent landed, so a search never
 * returns an empty leaf. A mass at or above the total gives the last positive leaf. Single and
 * batched searches run the same arithmetic and return the same leaves.
 */

import { createSearchSpace, SEARCH_CHUNK, type SearchSpace } from './descend-kernel';
import { EmptyBufferError } from './errors/empty-buffer-error';
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import type { RandomSource } from './random-source';
import { treeLayout } from './tree-layout';

// The `3`s in shifts below are the 8-way fan-out (see tree-layout.ts), written as literals: an
// imported constant costs a module-binding load and a TDZ check per use inside the hot loops.
import { checkCount, checkIndex, checkPositiveInteger, checkPriority, isIndex, isPriority } from './validate';

/**
 * Stands for a mass at or above the total (`find(total)`, or a stratified draw that rounded up).
 * Negative, so its descent goes leftmost and it stays negative; `collect` then returns the last
 * positive leaf. Handled before the descent so that no descent runs into the padding after the
 * last node of the top level (most trees have some there), which has no subtree below it.
 */
const AT_TOTAL = -1;

export class SumTree {
  /** Usable leaves: indices 0..capacity-1. */
  readonly capacity: number;
  private readonly tree: Float64Array;
  private readonly offsets: Int32Array;
  private readonly sizes: Int32Array;
  private readonly depth: number;
  private readonly leafOffset: number;
  private readonly leafCount: number;
  /** The tree's memory and the batched descent over it (WebAssembly where available). */
  private readonly search: SearchSpace;
  // Scratch for setBatch, grown on demand so steady-state calls allocate nothing.
  private pending = new Int32Array(0);

  constructor(capacity: number) {
    const layout = treeLayout(capacity);
    this.capacity = capacity;
    this.search = createSearchSpace(layout);
    this.tree = this.search.tree;
    this.leafCount = layout.leafCount;
    this.offsets = layout.offsets;
    this.sizes = layout.sizes;
    this.depth = layout.depth;
    this.leafOffset = layout.offsets[layout.depth]!;
  }

  /** Sum of all leaves (the root). */
  get total(): number {
    return this.tree[0]!;
  }

  get(index: number): number {
    checkIndex(index, this.capacity);
    return this.tree[this.leafOffset + index]!;
  }

  /** Sets one leaf and recomputes its ancestors. `value` must be finite and >= 0. */
  set(index: number, value: number): void {
    checkIndex(index, this.capacity);
    checkPriority(value, undefined, 'value');
    this.tree[this.leafOffset + index] = value;
    const { tree, offsets } = this;
    let node = index;
    for (let level = this.depth; level > 0; level--) {
      const group = offsets[level]! + ((node >> 3) << 3);
      node >>= 3;
      const position = offsets[level - 1]! + node;
      const value = sumGroup(tree, group);
      // An unchanged parent means every ancestor is still right: stop climbing.
      if (tree[position] === value) break;
      tree[position] = value;
    }
  }

  /**
   * Sets `count` leaves (`indices[i]` to `values[i]`; a repeated index keeps its last value), then
   * recomputes the ancestors level by level, each distinct parent once when the indices are sorted
   * (as sampled indices are). Everything is validated before anything is written.
   */
  setBatch(indices: ArrayLike<number>, values: ArrayLike<number>, count?: number): void {
    const n = checkCount(count, indices, values, 'setBatch(indices, values)');
    const capacity = this.capacity;
    for (let i = 0; i < n; i++) {
      const index = indices[i]!;
      if (!isIndex(index, capacity)) throw new IndexOutOfRangeError(index, capacity, `indices[${i}]`);
      if (!isPriority(values[i]!)) throw new InvalidPriorityError(values[i]!, i, 'value');
    }
    const pending = this.pendingScratch(n);
    const { tree, leafOffset } = this;
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
    this.recomputeAncestors(pending, changed);
  }

  /** Replaces all leaves (missing ones become 0) and rebuilds the tree: O(capacity). */
  setAll(values: ArrayLike<number>): void {
    if (values.length > this.capacity) {
      throw new InvalidArgumentError(
        `setAll: got ${values.length} values for a tree of capacity ${this.capacity}`,
      );
    }
    for (let i = 0; i < values.length; i++) checkPriority(values[i]!, i, 'value');
    this.tree.fill(0, this.leafOffset);
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
        tree[parentOffset + node] = sumGroup(tree, childOffset + (node << 3));
      }
    }
  }

  /** Sets every leaf to 0. */
  clear(): void {
    this.tree.fill(0);
  }

  /** A copy of leaves 0..capacity-1. */
  toArray(): Float64Array {
    return this.tree.slice(this.leafOffset, this.leafOffset + this.capacity);
  }

  /**
   * The leaf where the cumulative mass crosses `mass`: the i with prefix(i) <= mass < prefix(i+1),
   * never a zero-mass leaf. `mass` must be in [0, total]; `total` itself gives the last positive leaf.
   */
  find(mass: number): number {
    const total = this.checkSearchable();
    if (!(mass >= 0 && mass <= total)) {
      throw new InvalidArgumentError(`find: mass ${String(mass)} must be in [0, total = ${total}]`);
    }
    const { masses, nodes } = this.search;
    masses[0] = mass < total ? mass : AT_TOTAL;
    nodes[0] = 0;
    this.search.descend(1);
    return this.settle(masses[0]! >= 0 ? nodes[0]! : this.leafCount - 1);
  }

  /**
   * Searches `count` masses at once into `out`, advancing all descents together level by level so
   * their memory reads overlap.
   */
  findBatch(masses: ArrayLike<number>, out: Int32Array, count: number = masses.length): Int32Array {
    const total = this.checkSearchable();
    this.checkBatch(count, masses.length, out);
    for (let b = 0; b < count; b++) {
      const mass = masses[b]!;
      if (!(mass >= 0 && mass <= total)) {
        throw new InvalidArgumentError(
          `findBatch: masses[${b}] = ${String(mass)} must be in [0, total = ${total}]`,
        );
      }
    }
    const search = this.search;
    for (let start = 0; start < count; start += SEARCH_CHUNK) {
      const n = Math.min(SEARCH_CHUNK, count - start);
      for (let i = 0; i < n; i++) {
        const mass = masses[start + i]!;
        search.masses[i] = mass < total ? mass : AT_TOTAL;
      }
      search.nodes.fill(0, 0, n);
      search.descend(n);
      this.collect(n, out, start);
    }
    return out;
  }

  /**
   * Stratified sampling: splits [0, total) into `count` equal segments and draws one mass uniformly
   * in each, so every segment is hit exactly once per batch. Writes leaf indices (increasing) to `out`.
   */
  sampleStratified(count: number, random: RandomSource, out: Int32Array): Int32Array {
    const total = this.checkSearchable();
    this.checkBatch(count, count, out);
    const search = this.search;
    const segment = total / count;
    for (let start = 0; start < count; start += SEARCH_CHUNK) {
      const n = Math.min(SEARCH_CHUNK, count - start);
      const masses = search.masses;
      for (let i = 0; i < n; i++) masses[i] = (start + i + random.nextFloat()) * segment;
      // Only the last draw can reach the total; the others stay below (count - 1) / count of it.
      if (start + n === count && !(masses[n - 1]! < total)) masses[n - 1] = AT_TOTAL;
      search.nodes.fill(0, 0, n);
      search.descend(n);
      this.collect(n, out, start);
    }
    return out;
  }

  /**
   * Writes the leaves of descents 0..n-1 of the last `search.descend` to `out` from `at` on. Most
   * land on a positive leaf; `settle` handles the rest (rounding overruns, and AT_TOTAL, which
   * stays negative through its descent and means the last positive leaf).
   */
  private collect(n: number, out: Int32Array, at: number): void {
    const { tree, leafOffset } = this;
    const { masses, nodes } = this.search;
    for (let i = 0; i < n; i++) {
      const leaf = nodes[i]!;
      if (tree[leafOffset + leaf]! > 0 && masses[i]! >= 0) out[at + i] = leaf;
      else out[at + i] = this.settle(masses[i]! >= 0 ? leaf : this.leafCount - 1);
    }
  }

  /**
   * A descent that ran past its group's end (rounding) may land on an empty leaf; move it to the
   * nearest positive leaf at or before. Positive mass always exists there: every group the descent
   * entered without overrunning had a positive total.
   */
  private settle(leaf: number): number {
    const { tree, offsets } = this;
    if (tree[this.leafOffset + leaf]! > 0) return leaf;
    let level = this.depth;
    let node = leaf;
    for (;;) {
      const groupStart = (node >> 3) << 3;
      let k = node;
      while (k >= groupStart && !(tree[offsets[level]! + k]! > 0)) k--;
      if (k >= groupStart) {
        node = k;
        break;
      }
      // Nothing positive in this group up to the path: continue left of the parent.
      node = (node >> 3) - 1;
      level--;
      if (node < 0 || level < 1) throw new EmptyBufferError('sum tree has no positive leaf');
    }
    while (level < this.depth) {
      level++;
      const base = offsets[level]! + (node << 3);
      let k = 7;
      while (k > 0 && !(tree[base + k]! > 0)) k--;
      node = (node << 3) + k;
    }
    return node;
  }

  private checkSearchable(): number {
    const total = this.tree[0]!;
    if (!(total > 0)) {
      throw new EmptyBufferError('cannot search a sum tree whose total is 0: set a positive value first');
    }
    if (total === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError('the sum tree total overflowed to Infinity: rescale the values');
    }
    return total;
  }

  private checkBatch(count: number, available: number, out: Int32Array): void {
    checkPositiveInteger(count, 'count');
    if (count > available || out.length < count) {
      throw new InvalidArgumentError(
        `batch of ${count} needs ${count} inputs (got ${available}) and an output of length >= ${count} (got ${out.length})`,
      );
    }
  }

  /**
   * Recomputes the ancestors of the `n` leaves listed in `pending` (overwritten), one level at a
   * time so every child is final before its parent is combined. Adjacent duplicates are combined
   * once; non-adjacent ones are combined again, which is harmless (the result is the same).
   */
  private recomputeAncestors(pending: Int32Array, n: number): void {
    const { tree, offsets } = this;
    let m = n;
    for (let level = this.depth; level > 0; level--) {
      const childOffset = offsets[level]!;
      const parentOffset = offsets[level - 1]!;
      let written = 0;
      let last = -1;
      for (let r = 0; r < m; r++) {
        const parent = pending[r]! >> 3;
        if (parent === last) continue;
        last = parent;
        const value = sumGroup(tree, childOffset + (parent << 3));
        // Only a parent whose value changed needs its own parent recomputed.
        if (tree[parentOffset + parent] === value) continue;
        tree[parentOffset + parent] = value;
        pending[written++] = parent;
      }
      m = written;
    }
  }

  private pendingScratch(n: number): Int32Array {
    if (this.pending.length < n) this.pending = new Int32Array(Math.max(n, 2 * this.pending.length));
    return this.pending;
  }
}

/**
 * Sum of the 8 slots of a sibling group, pairwise: ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)).
 * The pairwise order keeps the dependency chain 3 additions long (an update's latency is the sum
 * of these chains along the path) and is the order in which the search forms its sums.
 */
export function sumGroup(tree: Float64Array, base: number): number {
  return (
    tree[base]! +
    tree[base + 1]! +
    (tree[base + 2]! + tree[base + 3]!) +
    (tree[base + 4]! + tree[base + 5]! + (tree[base + 6]! + tree[base + 7]!))
  );
}
