import { SelvesError, selvesErrorMarker } from './selves-error';

const marker = selvesErrorMarker('AdapterFormatError');

/** What was wrong with an adapter directory, for callers that branch on it. */
export type AdapterFormatErrorCode =
  | 'missing-file'
  | 'unsupported-format'
  | 'invalid-config'
  | 'corrupt-file'
  | 'checksum-mismatch'
  | 'missing-tensor'
  | 'unexpected-tensor'
  | 'wrong-shape'
  | 'wrong-base-model'
  | 'unsupported-feature';

/**
 * An adapter directory could not be read or does not fit: a missing or truncated file, a tensor of
 * the wrong shape, a different base model. Nothing is loaded when this is thrown.
 */
export class AdapterFormatError extends SelvesError {
  readonly [marker] = true;

  constructor(
    readonly code: AdapterFormatErrorCode,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AdapterFormatError';
  }

  static override isInstance(error: unknown): error is AdapterFormatError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
