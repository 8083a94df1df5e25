import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.UnknownExperienceError');

/** A learning signal was written for an experience id the store does not hold; nothing was written. */
export class UnknownExperienceError extends UesError {
  private readonly [marker] = true;
  readonly ids: string[];

  constructor(ids: string[]) {
    const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, ... (${ids.length} in all)` : '');
    super(`no stored experience with id ${shown}; append the experience before writing its signals`);
    this.name = 'UnknownExperienceError';
    this.ids = ids;
  }

  static override isInstance(value: unknown): value is UnknownExperienceError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
