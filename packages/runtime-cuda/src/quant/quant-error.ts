import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('QuantError');

/** A quantization request is inconsistent: shapes that do not match, an unknown layer, bad options. */
export class QuantError extends RuntimeCudaError {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuantError';
  }

  static override isInstance(error: unknown): error is QuantError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
