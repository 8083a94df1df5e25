import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.InvalidArgumentError');

/** An option or argument had the wrong type, range or length. Nothing was changed. */
export class InvalidArgumentError extends PerError {
  private readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }

  static override isInstance(value: unknown): value is InvalidArgumentError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
