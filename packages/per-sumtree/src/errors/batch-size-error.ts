import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.BatchSizeError');

/** A batch size was not a positive integer, or asked for more items than are stored. */
export class BatchSizeError extends PerError {
  private readonly [marker] = true;

  constructor(
    readonly batchSize: number,
    readonly available: number,
  ) {
    super(
      Number.isInteger(batchSize) && batchSize > 0
        ? `batch size ${batchSize} is larger than the ${available} experiences stored: sample at most ${available}, or add more first`
        : `batch size ${String(batchSize)} is invalid: expected a positive integer`,
    );
    this.name = 'BatchSizeError';
  }

  static override isInstance(value: unknown): value is BatchSizeError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
