import { PerError } from './per-error';

const marker = Symbol.for('chimera.error.EmptyBufferError');

/** Sampling or searching found nothing to draw from (an empty buffer, or a tree whose total is 0). */
export class EmptyBufferError extends PerError {
  private readonly [marker] = true;

  constructor(message = 'cannot sample from an empty replay buffer: add() at least one experience first') {
    super(message);
    this.name = 'EmptyBufferError';
  }

  static override isInstance(value: unknown): value is EmptyBufferError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
