/**
 * Base class of every error @chimera/ues throws. The `Symbol.for` marker makes `isInstance` work
 * across duplicated installs of the package (two copies of the class are two prototypes).
 */
const marker = Symbol.for('chimera.error.UesError');

export class UesError extends Error {
  private readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UesError';
  }

  static isInstance(value: unknown): value is UesError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}
