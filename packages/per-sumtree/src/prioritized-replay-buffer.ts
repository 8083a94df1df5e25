/**
 * PrioritizedReplayBuffer: proportional prioritized experience replay (Schaul et al., arXiv
 * 1511.05952) over a SumTree and a MinTree. It is the episodic memory the Sleep phase samples:
 * experiences are drawn with probability P(i) = (p_i + epsilon)^alpha / sum_k (p_k + epsilon)^alpha.
 *
 * - A fixed-capacity ring: add() overwrites the oldest experience once full.
 * - New experiences get the running maximum priority (1 until a larger one is seen), so each is
 *   replayed at least about once before its priority is measured.
 * - Stratified sampling: the mass is cut into batchSize equal segments with one draw in each, which
 *   lowers the variance of a batch compared with independent draws.
 * - Importance-sampling weights w_i = (N * P(i))^-beta / max_j (N * P(j))^-beta, where the largest
 *   weight belongs to the smallest priority (the min-tree's root), so weights are in (0, 1].
 *   beta rises linearly from beta0 to 1 over `betaSteps` sample() calls.
 * - All randomness comes from one SeededRandom, saved with the rest of the state.
 */
import { BatchSizeError } from './errors/batch-size-error';
import { EmptyBufferError } from './errors/empty-buffer-error';
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { MinTree } from './min-tree';
import {
  type PrioritizedReplayState,
  parseReplayState,
  REPLAY_STATE_FORMAT,
  REPLAY_STATE_VERSION,
} from './replay-buffer-state';
import { SeededRandom } from './seeded-random';
import { SumTree } from './sum-tree';
import { MAX_CAPACITY } from './tree-layout';
import {
  checkFiniteInRange,
  checkIndex,
  checkPositiveInteger,
  checkPriority,
  isIndex,
  isPriority,
} from './validate';

export interface PrioritizedReplayOptions {
  /** Most experiences kept; the oldest is evicted beyond it. */
  capacity: number;
  /** Prioritization exponent: 0 is uniform, 1 fully proportional. Default 0.6 (the paper's). */
  alpha?: number;
  /** Initial importance-sampling exponent, in [0, 1]. Default 0.4. */
  beta0?: number;
  /** sample() calls over which beta rises linearly from beta0 to 1 (0: beta is 1 at once). Default 100000. */
  betaSteps?: number;
  /** Added to every priority so none has zero probability; must be > 0. Default 1e-6. */
  epsilon?: number;
  /** Seed of the generator behind sampling; omitted, a random one (read it back from `seed`). */
  seed?: number;
}

/** One sampled batch. `indices` go back to updatePriorities() with the new priorities. */
export interface PrioritizedSample<T> {
  /** Buffer slots of the sampled experiences (increasing within a batch). */
  indices: Int32Array;
  /** Normalized importance-sampling weights, in (0, 1]; scale each experience's loss by its weight. */
  weights: Float64Array;
  items: T[];
  /** P(i) of each sampled experience at sampling time. */
  probabilities: Float64Array;
}

export class PrioritizedReplayBuffer<T> {
  readonly capacity: number;
  readonly alpha: number;
  readonly beta0: number;
  readonly betaSteps: number;
  readonly epsilon: number;
  private readonly sumTree: SumTree;
  private readonly minTree: MinTree;
  // Grown by push up to capacity, then overwritten in place: `new Array(capacity)` would start
  // in V8's slow dictionary mode for large capacities.
  private readonly items: T[] = [];
  private readonly priorities: Float64Array;
  private readonly random: SeededRandom;
  private nextSlot = 0;
  private stored = 0;
  private steps = 0;
  private maxSeen = 1;
  private leafScratch = new Float64Array(0);

  constructor(options: PrioritizedReplayOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(
        'PrioritizedReplayBuffer needs an options object with at least { capacity }',
      );
    }
    const { capacity, alpha = 0.6, beta0 = 0.4, betaSteps = 100_000, epsilon = 1e-6, seed } = options;
    checkPositiveInteger(capacity, 'capacity', MAX_CAPACITY);
    checkFiniteInRange(alpha, 'alpha', 0, Number.MAX_VALUE);
    checkFiniteInRange(beta0, 'beta0', 0, 1);
    if (!Number.isSafeInteger(betaSteps) || betaSteps < 0) {
      throw new InvalidArgumentError(`betaSteps must be an integer >= 0, got ${String(betaSteps)}`);
    }
    checkFiniteInRange(
      epsilon,
      'epsilon (must be > 0 so every experience stays reachable)',
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    );
    this.capacity = capacity;
    this.alpha = alpha;
    this.beta0 = beta0;
    this.betaSteps = betaSteps;
    this.epsilon = epsilon;
    this.sumTree = new SumTree(capacity);
    this.minTree = new MinTree(capacity);
    this.priorities = new Float64Array(capacity);
    this.random = new SeededRandom(seed);
  }

  /** Experiences stored (at most `capacity`). */
  get size(): number {
    return this.stored;
  }

  /** Seed of the sampling generator. */
  get seed(): number {
    return this.random.seed;
  }

  /** sample() calls so far. */
  get sampleCount(): number {
    return this.steps;
  }

  /** The importance-sampling exponent the next sample() uses. */
  get beta(): number {
    if (this.betaSteps === 0) return 1;
    return Math.min(1, this.beta0 + ((1 - this.beta0) * this.steps) / this.betaSteps);
  }

  /** Running maximum raw priority; add() without a priority uses it. */
  get maxPriority(): number {
    return this.maxSeen;
  }

  /** Stores `item` in the next slot (evicting the oldest when full) and returns that slot. */
  add(item: T, priority: number = this.maxSeen): number {
    checkPriority(priority);
    const leaf = this.leafOf(priority, undefined);
    const slot = this.nextSlot;
    if (slot === this.items.length) this.items.push(item);
    else this.items[slot] = item;
    this.priorities[slot] = priority;
    this.sumTree.set(slot, leaf);
    this.minTree.set(slot, leaf);
    if (priority > this.maxSeen) this.maxSeen = priority;
    this.nextSlot = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.stored < this.capacity) this.stored++;
    return slot;
  }

  /** The experience in slot `index`. */
  get(index: number): T {
    checkIndex(index, this.stored);
    return this.items[index]!;
  }

  /** The raw priority of slot `index`, as last given. */
  priorityOf(index: number): number {
    checkIndex(index, this.stored);
    return this.priorities[index]!;
  }

  /** P(index): the probability one draw picks slot `index`. */
  probabilityOf(index: number): number {
    checkIndex(index, this.stored);
    return this.sumTree.get(index) / this.sumTree.total;
  }

  /** Samples a stratified batch into freshly allocated arrays. */
  sample(batchSize: number): PrioritizedSample<T> {
    this.checkSampleable(batchSize);
    return this.sampleInto(batchSize, createSampleBuffers<T>(batchSize));
  }

  /**
   * Samples a stratified batch into `out` (arrays of length >= batchSize; `items` is truncated to
   * batchSize) and returns it: no allocation in steady state. Advances the beta schedule by one.
   */
  sampleInto(batchSize: number, out: PrioritizedSample<T>): PrioritizedSample<T> {
    this.checkSampleable(batchSize);
    const { indices, weights, probabilities, items } = out;
    if (indices.length < batchSize || weights.length < batchSize || probabilities.length < batchSize) {
      throw new InvalidArgumentError(
        `sampleInto: output arrays must hold ${batchSize} entries (indices ${indices.length}, weights ${weights.length}, probabilities ${probabilities.length}); use createSampleBuffers(${batchSize})`,
      );
    }
    const beta = this.beta;
    this.sumTree.sampleStratified(batchSize, this.random, indices);
    const total = this.sumTree.total;
    const minLeaf = this.minTree.min;
    // Writing in order appends past the end, which keeps the array packed (setting a larger
    // length first would make it holey).
    if (items.length > batchSize) items.length = batchSize;
    // Gather the items in a loop of their own: each read is a likely cache miss, and a tight loop
    // keeps many in flight, where the exp/log calls below would leave room for only a couple.
    const stored = this.items;
    for (let b = 0; b < batchSize; b++) items[b] = stored[indices[b]!]!;
    for (let b = 0; b < batchSize; b++) {
      const leaf = this.sumTree.get(indices[b]!);
      probabilities[b] = leaf / total;
      // (N P_i)^-beta / (N P_min)^-beta: N and the total cancel, leaving the leaf ratio. exp/log
      // is about twice as fast as Math.pow here and within a few ulps of it.
      weights[b] = Math.exp(-beta * Math.log(leaf / minLeaf));
    }
    this.steps++;
    return out;
  }

  /**
   * Sets new raw priorities (e.g. |TD error|, or a hybridPriority) for the slots a sample returned:
   * the first `count` entries of both arrays (default: all, and then the lengths must match; pass
   * `count` with reused sampleInto buffers). All inputs are validated before anything changes. A slot overwritten by add() since it was
   * sampled gets the new priority too: the buffer cannot tell the two experiences apart.
   */
  updatePriorities(indices: ArrayLike<number>, priorities: ArrayLike<number>, count?: number): void {
    const n = count ?? indices.length;
    if (
      count === undefined
        ? priorities.length !== n
        : !isIndex(n, Math.min(indices.length, priorities.length) + 1)
    ) {
      throw new InvalidArgumentError(
        count === undefined
          ? `updatePriorities: got ${n} indices but ${priorities.length} priorities; pass one priority per index (or a count)`
          : `updatePriorities: count ${String(count)} must be an integer <= both lengths (${indices.length} indices, ${priorities.length} priorities)`,
      );
    }
    const stored = this.stored;
    for (let i = 0; i < n; i++) {
      const index = indices[i]!;
      if (!isIndex(index, stored)) throw new IndexOutOfRangeError(index, stored, `indices[${i}]`);
      if (!isPriority(priorities[i]!)) throw new InvalidPriorityError(priorities[i]!, i);
    }
    if (this.leafScratch.length < n)
      this.leafScratch = new Float64Array(Math.max(n, 2 * this.leafScratch.length));
    const leaves = this.leafScratch;
    for (let i = 0; i < n; i++) leaves[i] = this.leafOf(priorities[i]!, i);
    let max = this.maxSeen;
    for (let i = 0; i < n; i++) {
      const priority = priorities[i]!;
      this.priorities[indices[i]!] = priority;
      if (priority > max) max = priority;
    }
    this.maxSeen = max;
    this.sumTree.setBatch(indices, leaves, n);
    this.minTree.setBatch(indices, leaves, n);
  }

  /** Removes every experience; keeps the options, the generator and the beta schedule. */
  clear(): void {
    this.items.length = 0;
    this.priorities.fill(0);
    this.sumTree.clear();
    this.minTree.clear();
    this.nextSlot = 0;
    this.stored = 0;
    this.maxSeen = 1;
  }

  /** The whole state with items as they are (so JSON.stringify(buffer) works for JSON items). */
  toJSON(): PrioritizedReplayState<T> {
    return this.save((item) => item);
  }

  /** The whole state, with each item passed through `serializeItem`. */
  save<S = T>(serializeItem: (item: T) => S = (item) => item as unknown as S): PrioritizedReplayState<S> {
    const items: S[] = [];
    for (let i = 0; i < this.stored; i++) items.push(serializeItem(this.items[i]!));
    return {
      format: REPLAY_STATE_FORMAT,
      version: REPLAY_STATE_VERSION,
      capacity: this.capacity,
      alpha: this.alpha,
      beta0: this.beta0,
      betaSteps: this.betaSteps,
      epsilon: this.epsilon,
      seed: this.random.seed,
      randomState: this.random.getState(),
      sampleCount: this.steps,
      nextSlot: this.nextSlot,
      size: this.stored,
      maxPriority: this.maxSeen,
      priorities: Array.from(this.priorities.subarray(0, this.stored)),
      items,
    };
  }

  /**
   * Rebuilds a buffer from `save()`/`toJSON()` output (or its JSON.parse). The result samples
   * exactly what the saved buffer would have sampled next. Throws InvalidStateError on bad input.
   */
  static load<T, S = T>(
    state: PrioritizedReplayState<S> | unknown,
    deserializeItem: (serialized: S) => T = (serialized) => serialized as unknown as T,
  ): PrioritizedReplayBuffer<T> {
    const saved = parseReplayState<S>(state);
    const buffer = new PrioritizedReplayBuffer<T>({
      capacity: saved.capacity,
      alpha: saved.alpha,
      beta0: saved.beta0,
      betaSteps: saved.betaSteps,
      epsilon: saved.epsilon,
      seed: saved.seed,
    });
    buffer.random.setState(saved.randomState);
    const leaves = new Float64Array(saved.size);
    for (let i = 0; i < saved.size; i++) {
      const priority = saved.priorities[i]!;
      buffer.priorities[i] = priority;
      leaves[i] = buffer.leafOf(priority, i);
      buffer.items.push(deserializeItem(saved.items[i]!));
    }
    buffer.sumTree.setAll(leaves);
    buffer.minTree.setAll(leaves);
    buffer.stored = saved.size;
    buffer.nextSlot = saved.nextSlot;
    buffer.steps = saved.sampleCount;
    buffer.maxSeen = saved.maxPriority;
    return buffer;
  }

  /**
   * The tree value of a raw priority, (p + epsilon)^alpha. Rejected when it overflows to Infinity
   * or underflows to 0 (extreme alpha), which would break sampling or the weights.
   */
  private leafOf(priority: number, position: number | undefined): number {
    const leaf = Math.exp(this.alpha * Math.log(priority + this.epsilon)); // Math.pow, twice as fast
    if (!(leaf > 0 && leaf < Number.POSITIVE_INFINITY)) {
      throw new InvalidArgumentError(
        `priority ${priority}${position === undefined ? '' : ` at position ${position}`} gives (p + epsilon)^alpha = ${leaf} with alpha ${this.alpha}: rescale the priorities or lower alpha; nothing was changed`,
      );
    }
    return leaf;
  }

  private checkSampleable(batchSize: number): void {
    if (this.stored === 0) throw new EmptyBufferError();
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > this.stored) {
      throw new BatchSizeError(batchSize, this.stored);
    }
  }
}

/** Output arrays for PrioritizedReplayBuffer.sampleInto, allocated once and reused. */
export function createSampleBuffers<T>(batchSize: number): PrioritizedSample<T> {
  checkPositiveInteger(batchSize, 'batchSize');
  return {
    indices: new Int32Array(batchSize),
    weights: new Float64Array(batchSize),
    items: [],
    probabilities: new Float64Array(batchSize),
  };
}
