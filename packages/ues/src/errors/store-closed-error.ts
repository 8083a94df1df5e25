import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.StoreClosedError');

/** A method was called after `close()`. */
export class StoreClosedError extends UesError {
  private readonly [marker] = true;

  constructor(what: string) {
    super(`${what} was called on a closed experience store; open it again`);
    this.name = 'StoreClosedError';
  }

  static override isInstance(value: unknown): value is StoreClosedError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
