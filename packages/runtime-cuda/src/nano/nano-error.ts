import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('NanoModelError');

/** chimera-nano was given a bad configuration, adapter or batch. */
export class NanoModelError extends RuntimeCudaError {
  readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = 'NanoModelError';
  }

  static override isInstance(error: unknown): error is NanoModelError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
