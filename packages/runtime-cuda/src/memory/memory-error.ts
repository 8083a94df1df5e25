import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('MemoryPlanError');

/** A memory plan was asked for with impossible inputs (negative sizes, unknown mode). */
export class MemoryPlanError extends RuntimeCudaError {
  readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = 'MemoryPlanError';
  }

  static override isInstance(error: unknown): error is MemoryPlanError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
