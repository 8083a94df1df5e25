/**
 * Argument checks shared by the trees and the replay buffer. Each throws a typed PerError that
 * says what was wrong and what to pass instead; callers run them before mutating anything, so a
 * rejected call leaves every structure exactly as it was.
 */
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';

/** True when `index` is an integer in [0, limit). */
export function isIndex(index: number, limit: number): boolean {
  // `>>> 0` keeps only integers in [0, 2^32): NaN, fractions, negatives and huge values all fail.
  return index >>> 0 === index && index < limit;
}

/** True when `value` is a finite number >= 0 (NaN fails both comparisons). */
export function isPriority(value: number): boolean {
  return value >= 0 && value < Number.POSITIVE_INFINITY;
}

/** Throws unless `index` is an integer in [0, limit). */
export function checkIndex(index: number, limit: number, what = 'index'): void {
  if (!isIndex(index, limit)) throw new IndexOutOfRangeError(index, limit, what);
}

/** Throws unless `value` is a finite number >= 0. */
export function checkPriority(value: number, position?: number, what = 'priority'): void {
  if (!isPriority(value)) throw new InvalidPriorityError(value, position, what);
}

export function checkPositiveInteger(value: number, name: string, max = 2 ** 30): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
  }
}

export function checkFiniteInRange(value: number, name: string, min: number, max: number): void {
  if (!(value >= min && value <= max)) {
    throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

/** The number of entries to read from a pair of parallel arrays, checked against both lengths. */
export function checkCount(
  count: number | undefined,
  first: ArrayLike<number>,
  second: ArrayLike<number>,
  names: string,
): number {
  const n = count ?? first.length;
  if (!Number.isInteger(n) || n < 0 || n > first.length || n > second.length) {
    throw new InvalidArgumentError(
      `${names}: count ${String(n)} must be an integer in [0, min(lengths)] (lengths ${first.length} and ${second.length})`,
    );
  }
  return n;
}
