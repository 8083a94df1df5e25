import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.IndexOutOfRangeError');

/** An index was not an integer inside the valid range. Nothing was changed. */
export class IndexOutOfRangeError extends PerError {
  private readonly [marker] = true;

  constructor(
    readonly index: number,
    readonly limit: number,
    what = 'index',
  ) {
    super(
      limit === 0
        ? `${what} ${String(index)} is out of range: nothing is stored yet`
        : `${what} ${String(index)} is out of range: expected an integer in [0, ${limit - 1}]; nothing was changed`,
    );
    this.name = 'IndexOutOfRangeError';
  }

  static override isInstance(value: unknown): value is IndexOutOfRangeError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
