import { SelvesError, selvesErrorMarker } from './selves-error';

const marker = selvesErrorMarker('SelfNotFoundError');

/** A Self (or one of its versions) that the library does not hold. */
export class SelfNotFoundError extends SelvesError {
  readonly [marker] = true;

  constructor(
    readonly self: string,
    message: string,
  ) {
    super(message);
    this.name = 'SelfNotFoundError';
  }

  static override isInstance(error: unknown): error is SelfNotFoundError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
