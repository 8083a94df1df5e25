import { describe, expect, it } from 'vitest';
import { BatchSizeError } from './batch-size-error';
import { EmptyBufferError } from './empty-buffer-error';
import { IndexOutOfRangeError } from './index-out-of-range-error';
import { InvalidArgumentError } from './invalid-argument-error';
import { InvalidPriorityError } from './invalid-priority-error';
import { InvalidStateError } from './invalid-state-error';
import { PerError } from './per-error';

describe('errors', () => {
  const all = [
    new BatchSizeError(10, 3),
    new EmptyBufferError(),
    new IndexOutOfRangeError(5, 3),
    new InvalidArgumentError('bad'),
    new InvalidPriorityError(-1, 2),
    new InvalidStateError('size', 'is wrong'),
  ];

  it('are PerErrors, recognised by marker rather than prototype', () => {
    for (const error of all) {
      expect(PerError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
    // A structurally separate copy (as from a duplicated install) carries the same marker.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('chimera.error.PerError')]: true });
    expect(PerError.isInstance(foreign)).toBe(true);
    expect(PerError.isInstance(new Error('plain'))).toBe(false);
    expect(InvalidPriorityError.isInstance(all[0])).toBe(false);
    expect(BatchSizeError.isInstance(all[0])).toBe(true);
  });

  it('say what was wrong and what to do', () => {
    expect(all[0]!.message).toMatch(/larger than the 3 experiences stored: sample at most 3/);
    expect(new BatchSizeError(0, 3).message).toMatch(/expected a positive integer/);
    expect(all[2]!.message).toMatch(/expected an integer in \[0, 2\]/);
    expect(new IndexOutOfRangeError(0, 0).message).toMatch(/nothing is stored yet/);
    expect(all[4]!.message).toMatch(/pass \|TD error\|, not the signed error/);
    expect(new InvalidPriorityError(Number.NaN, undefined).message).toMatch(/is NaN/);
    expect(all[5]!.message).toBe('cannot load replay buffer state: size is wrong');
    expect(all.map((e) => e.name)).toEqual([
      'BatchSizeError',
      'EmptyBufferError',
      'IndexOutOfRangeError',
      'InvalidArgumentError',
      'InvalidPriorityError',
      'InvalidStateError',
    ]);
  });
});
