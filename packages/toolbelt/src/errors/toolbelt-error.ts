/**
 * Base class of every error @chimera/toolbelt throws. `isInstance` checks a `Symbol.for` marker
 * rather than `instanceof`, so the check still works when two copies of the package are installed.
 */
const marker = 'chimera.error.ToolbeltError';
const symbol = Symbol.for(marker);

export class ToolbeltError extends Error {
  // The brand that isInstance checks (see hasMarker).
  protected readonly [symbol] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolbeltError';
  }

  static isInstance(error: unknown): error is ToolbeltError {
    return hasMarker(error, marker);
  }
}

/** True when `error` carries the `Symbol.for(marker)` brand (set by a class field of that name). */
export function hasMarker(error: unknown, markerName: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[Symbol.for(markerName)] === true
  );
}
