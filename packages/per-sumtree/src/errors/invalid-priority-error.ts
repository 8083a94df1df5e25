import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.InvalidPriorityError');

/** A priority (or tree value, or priority signal) was NaN, infinite or negative. Nothing was changed. */
export class InvalidPriorityError extends PerError {
  private readonly [marker] = true;

  constructor(
    readonly value: number,
    readonly position: number | undefined,
    what = 'priority',
    /** False for signals that may be negative (a TD error): then only NaN and infinities are rejected. */
    nonNegative = true,
  ) {
    const where = position === undefined ? '' : ` at position ${position}`;
    const problem = Number.isNaN(value)
      ? 'is NaN (check the loss or TD computation that produced it)'
      : !Number.isFinite(value)
        ? 'is infinite'
        : 'is negative: priorities must be >= 0 (pass |TD error|, not the signed error)';
    super(
      `${what} ${String(value)}${where} ${problem}; expected a finite number${nonNegative ? ' >= 0' : ''}, nothing was changed`,
    );
    this.name = 'InvalidPriorityError';
  }

  static override isInstance(value: unknown): value is InvalidPriorityError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
