/**
 * Base error of the embedded web world (@chimera/worlds/web): bad task options, an unknown family,
 * a task that is not a web task. Program errors, thrown; a model's bad tool call is never one.
 */
const marker = 'chimera.error.WebWorldError';
const symbol = Symbol.for(marker);

export class WebWorldError extends Error {
  private readonly [symbol] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebWorldError';
  }

  static isInstance(error: unknown): error is WebWorldError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[symbol] === true;
  }
}
