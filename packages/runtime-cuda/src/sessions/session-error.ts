import { errorMarker, RuntimeCudaError } from './runtime-cuda-error';

const marker = errorMarker('SessionError');

/** A session could not be created or a run failed (bad model bytes, wrong feeds, missing provider). */
export class SessionError extends RuntimeCudaError {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionError';
  }

  static override isInstance(error: unknown): error is SessionError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
