/**
 * Base class of every error @chimera/per-sumtree throws. The `Symbol.for` marker makes
 * `isInstance` work across duplicated installs of the package (two copies of the class are two
 * prototypes, so `instanceof` would fail).
 */
const marker = Symbol.for('chimera.error.PerError');

export class PerError extends Error {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PerError';
  }

  static isInstance(value: unknown): value is PerError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
