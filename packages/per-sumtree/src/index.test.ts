import { describe, expect, it } from 'vitest';
import * as api from './index';

describe('public entry', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'BatchSizeError',
        'EmptyBufferError',
        'HybridPriority',
        'IndexOutOfRangeError',
        'InvalidArgumentError',
        'InvalidPriorityError',
        'InvalidStateError',
        'MinTree',
        'PerError',
        'PrioritizedReplayBuffer',
        'REPLAY_STATE_FORMAT',
        'REPLAY_STATE_VERSION',
        'SeededRandom',
        'SumTree',
        'createSampleBuffers',
        'hybridPriority',
      ].sort(),
    );
  });

  it('throws only PerErrors from the buffer', () => {
    const buffer = new api.PrioritizedReplayBuffer<number>({ capacity: 2, seed: 1 });
    const caught: unknown[] = [];
    for (const bad of [() => buffer.sample(1), () => buffer.add(1, -1), () => buffer.get(3)]) {
      try {
        bad();
      } catch (error) {
        caught.push(error);
      }
    }
    expect(caught).toHaveLength(3);
    expect(caught.every((e) => api.PerError.isInstance(e))).toBe(true);
  });
});
