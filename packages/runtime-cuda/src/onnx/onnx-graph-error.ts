import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('OnnxGraphError');

/** A graph under construction is malformed (duplicate or undefined names, data that does not match dims). */
export class OnnxGraphError extends RuntimeCudaError {
  readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = 'OnnxGraphError';
  }

  static override isInstance(error: unknown): error is OnnxGraphError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
