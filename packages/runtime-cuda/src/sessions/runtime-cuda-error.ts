/**
 * The base error of @chimera/runtime-cuda. Every error this package throws for a program fault
 * (a malformed graph, a bad feed, an impossible plan) extends it. The `Symbol.for` marker lets
 * `isInstance` work across duplicated installs, where `instanceof` would not.
 */
const marker = Symbol.for('chimera.error.RuntimeCudaError');

export class RuntimeCudaError extends Error {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeCudaError';
  }

  static isInstance(error: unknown): error is RuntimeCudaError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** Marker-checked subclass helper: each typed error keeps its own marker beside the base one. */
export function errorMarker(name: string): symbol {
  return Symbol.for(`chimera.error.${name}`);
}
