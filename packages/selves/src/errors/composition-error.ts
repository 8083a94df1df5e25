import { SelvesError, selvesErrorMarker } from './selves-error';

const marker = selvesErrorMarker('CompositionError');

/** Adapters that cannot be combined as asked (ranks, modules, weights, density). */
export class CompositionError extends SelvesError {
  readonly [marker] = true;

  constructor(message: string) {
    super(message);
    this.name = 'CompositionError';
  }

  static override isInstance(error: unknown): error is CompositionError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
