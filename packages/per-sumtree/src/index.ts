/**
 * @chimera/per-sumtree: the Sleep phase's episodic memory. Exact 8-ary sum and min trees over
 * Float64Arrays, a proportional prioritized replay buffer with stratified sampling and
 * importance-sampling weights, the hybrid (TD error + learning progress) priority, and a seeded
 * generator for reproducible runs. No runtime dependencies.
 */
export { BatchSizeError } from './errors/batch-size-error';
export { EmptyBufferError } from './errors/empty-buffer-error';
export { IndexOutOfRangeError } from './errors/index-out-of-range-error';
export { InvalidArgumentError } from './errors/invalid-argument-error';
export { InvalidPriorityError } from './errors/invalid-priority-error';
export { InvalidStateError } from './errors/invalid-state-error';
export { PerError } from './errors/per-error';
export {
  type HybridNormalization,
  HybridPriority,
  type HybridPriorityOptions,
  type HybridPriorityState,
  type HybridWeights,
  hybridPriority,
} from './hybrid-priority';
export { MinTree } from './min-tree';
export {
  createSampleBuffers,
  PrioritizedReplayBuffer,
  type PrioritizedReplayOptions,
  type PrioritizedSample,
} from './prioritized-replay-buffer';
export type { RandomSource } from './random-source';
export {
  type PrioritizedReplayState,
  REPLAY_STATE_FORMAT,
  REPLAY_STATE_VERSION,
} from './replay-buffer-state';
export { SeededRandom } from './seeded-random';
export { SumTree } from './sum-tree';
