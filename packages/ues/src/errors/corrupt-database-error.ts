import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.CorruptDatabaseError');

/**
 * The database file is not a readable experience store (truncated, overwritten, not SQLite, or
 * failing SQLite's integrity check). The file is left exactly as found: nothing is reset.
 */
export class CorruptDatabaseError extends UesError {
  private readonly [marker] = true;
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(
      `experience database ${path} is damaged: ${reason}. The file was left untouched; ` +
        'restore it from a backup or export what is readable (`sqlite3 <file> .recover`), ' +
        'then open a new path. Do not delete it before you have a copy.',
      options,
    );
    this.name = 'CorruptDatabaseError';
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(value: unknown): value is CorruptDatabaseError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
