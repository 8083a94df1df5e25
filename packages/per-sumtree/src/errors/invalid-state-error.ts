import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.InvalidStateError');

/** A saved replay-buffer state could not be loaded: it names the field that is wrong. */
export class InvalidStateError extends PerError {
  private readonly [marker] = true;

  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`cannot load replay buffer state: ${field} ${problem}`);
    this.name = 'InvalidStateError';
  }

  static override isInstance(value: unknown): value is InvalidStateError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
