import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('KernelError');

/** A kernel was called with inconsistent shapes or buffers, or the native addon misbehaved. */
export class KernelError extends RuntimeCudaError {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KernelError';
  }

  static override isInstance(error: unknown): error is KernelError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
