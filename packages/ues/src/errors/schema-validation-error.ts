import { UesError } from './ues-error';

const marker = Symbol.for('chimera.error.SchemaValidationError');

/** One problem found in a record: where (`metadata.self.name`) and what. */
export interface SchemaIssue {
  /** Dotted path of the offending field, `''` for the record itself. */
  path: string;
  message: string;
}

/**
 * A record broke the Unified Experience Schema. Nothing of its batch was written.
 * `path` names the first offending field; `issues` lists all of them.
 */
export class SchemaValidationError extends UesError {
  private readonly [marker] = true;
  readonly path: string;
  readonly issues: SchemaIssue[];
  /** Position of the record in the batch (or line number for JSONL), when known. */
  readonly index: number | undefined;

  constructor(issues: SchemaIssue[], options: { index?: number; context?: string } = {}) {
    const first = issues[0] ?? { path: '', message: 'invalid record' };
    const where = options.context ?? (options.index === undefined ? 'record' : `record ${options.index}`);
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    super(`${where}: field \`${first.path || '(root)'}\`: ${first.message}${more}`);
    this.name = 'SchemaValidationError';
    this.path = first.path;
    this.issues = issues;
    this.index = options.index;
  }

  static override isInstance(value: unknown): value is SchemaValidationError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
