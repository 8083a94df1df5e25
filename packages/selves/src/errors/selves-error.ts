/**
 * The base error of @chimera/selves. Every error this package throws for a program fault (a bad
 * adapter file, an unknown Self, an impossible composition) extends it. The `Symbol.for` marker
 * makes `isInstance` work across duplicated installs, where `instanceof` would not.
 */
const marker = Symbol.for('chimera.error.SelvesError');

export class SelvesError extends Error {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelvesError';
  }

  static isInstance(error: unknown): error is SelvesError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** Marker of one typed subclass, kept beside the base marker. */
export function selvesErrorMarker(name: string): symbol {
  return Symbol.for(`chimera.error.${name}`);
}
