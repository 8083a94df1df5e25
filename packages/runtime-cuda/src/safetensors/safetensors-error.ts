import { errorMarker, RuntimeCudaError } from '../sessions/runtime-cuda-error';

const marker = errorMarker('SafetensorsError');

/**
 * Why a safetensors buffer was rejected. The codes follow the checks of Hugging Face's reader
 * (`safetensors/src/tensor.rs`), so a file this package refuses is one theirs refuses too.
 */
export type SafetensorsErrorCode =
  | 'header-too-small'
  | 'header-too-large'
  | 'invalid-header-length'
  | 'invalid-header'
  | 'invalid-header-deserialization'
  | 'duplicate-name'
  | 'unknown-dtype'
  | 'invalid-shape'
  | 'invalid-offset'
  | 'tensor-invalid-info'
  | 'misaligned-slice'
  | 'metadata-incomplete-buffer'
  | 'invalid-metadata'
  | 'invalid-tensor'
  | 'io';

/** A safetensors buffer or file is malformed, or a tensor handed to the writer is inconsistent. */
export class SafetensorsError extends RuntimeCudaError {
  private readonly [marker] = true;
  readonly code: SafetensorsErrorCode;
  /** The tensor the problem concerns, when there is one. */
  readonly tensor: string | undefined;

  constructor(code: SafetensorsErrorCode, message: string, options?: { cause?: unknown; tensor?: string }) {
    super(message, options);
    this.name = 'SafetensorsError';
    this.code = code;
    this.tensor = options?.tensor;
  }

  static override isInstance(error: unknown): error is SafetensorsError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
