/**
 * The saved form of a PrioritizedReplayBuffer: plain JSON (numbers round-trip exactly through
 * JSON.stringify/parse), holding everything needed to resume the run bit for bit: options, the
 * random generator's state, the ring position, the raw priorities and the items. Trees are not
 * saved: they are a fixed function of the leaves and are rebuilt on load.
 */
import { InvalidStateError } from './errors/invalid-state-error';
import { MAX_CAPACITY } from './tree-layout';

export const REPLAY_STATE_FORMAT = 'chimera.per-sumtree/replay-buffer';
export const REPLAY_STATE_VERSION = 1;

export interface PrioritizedReplayState<S = unknown> {
  format: typeof REPLAY_STATE_FORMAT;
  version: typeof REPLAY_STATE_VERSION;
  capacity: number;
  alpha: number;
  beta0: number;
  betaSteps: number;
  epsilon: number;
  seed: number;
  /** The four xoshiro128** words (unsigned). */
  randomState: [number, number, number, number];
  /** sample() calls so far (drives the beta schedule). */
  sampleCount: number;
  /** Slot the next add() writes. */
  nextSlot: number;
  size: number;
  /** Running maximum of the raw priorities (new items get it). */
  maxPriority: number;
  /** Raw priorities of slots 0..size-1, as given to add()/updatePriorities(). */
  priorities: number[];
  /** Items of slots 0..size-1, as returned by the serializer. */
  items: S[];
}

/** Checks the shape of a parsed state and returns it typed; throws InvalidStateError naming the field. */
export function parseReplayState<S>(value: unknown): PrioritizedReplayState<S> {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidStateError('state', `must be an object, got ${value === null ? 'null' : typeof value}`);
  }
  const state = value as Record<string, unknown>;
  if (state.format !== REPLAY_STATE_FORMAT) {
    throw new InvalidStateError(
      'format',
      `must be "${REPLAY_STATE_FORMAT}", got ${JSON.stringify(state.format)}`,
    );
  }
  if (state.version !== REPLAY_STATE_VERSION) {
    throw new InvalidStateError(
      'version',
      `${String(state.version)} is not supported (this build reads version 1)`,
    );
  }
  const capacity = integerField(state, 'capacity', 1, MAX_CAPACITY);
  numberField(state, 'alpha', 0, Number.MAX_VALUE);
  numberField(state, 'beta0', 0, 1);
  integerField(state, 'betaSteps', 0, Number.MAX_SAFE_INTEGER);
  numberField(state, 'epsilon', Number.MIN_VALUE, Number.MAX_VALUE);
  integerField(state, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  integerField(state, 'sampleCount', 0, Number.MAX_SAFE_INTEGER);
  const size = integerField(state, 'size', 0, capacity);
  const nextSlot = integerField(state, 'nextSlot', 0, capacity - 1);
  if (size < capacity && nextSlot !== size) {
    throw new InvalidStateError(
      'nextSlot',
      `must equal size (${size}) until the ring is full, got ${nextSlot}`,
    );
  }
  numberField(state, 'maxPriority', 0, Number.MAX_VALUE);
  const words = state.randomState;
  if (
    !Array.isArray(words) ||
    words.length !== 4 ||
    !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) ||
    words.every((w) => w === 0)
  ) {
    throw new InvalidStateError('randomState', 'must be 4 unsigned 32-bit integers, not all zero');
  }
  const priorities = state.priorities;
  if (!Array.isArray(priorities) || priorities.length !== size) {
    throw new InvalidStateError('priorities', `must be an array of ${size} numbers (one per stored item)`);
  }
  priorities.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p < Number.POSITIVE_INFINITY)) {
      throw new InvalidStateError(
        `priorities[${i}]`,
        `must be a finite number >= 0, got ${JSON.stringify(p)}`,
      );
    }
  });
  if (!Array.isArray(state.items) || state.items.length !== size) {
    throw new InvalidStateError('items', `must be an array of ${size} items (one per stored item)`);
  }
  return state as unknown as PrioritizedReplayState<S>;
}

function numberField(state: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = state[name];
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new InvalidStateError(name, `must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function integerField(state: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = numberField(state, name, min, max);
  if (!Number.isInteger(value)) throw new InvalidStateError(name, `must be an integer, got ${value}`);
  return value;
}
