import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('QuZOError');

/** Bad optimizer options, a bad loss value, or a state/log that does not fit the parameters. */
export class QuZOError extends RuntimeCudaError {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuZOError';
  }

  static override isInstance(error: unknown): error is QuZOError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
