import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.DuplicateExperienceError');

/** A batch held an experience id that is already stored (or twice in the batch); nothing was written. */
export class DuplicateExperienceError extends UesError {
  private readonly [marker] = true;
  readonly ids: string[];

  constructor(ids: string[], options?: { cause?: unknown }) {
    const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, ... (${ids.length} in all)` : '');
    super(`experience id already stored: ${shown}; the batch was not written (ids are unique)`, options);
    this.name = 'DuplicateExperienceError';
    this.ids = ids;
  }

  static override isInstance(value: unknown): value is DuplicateExperienceError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
