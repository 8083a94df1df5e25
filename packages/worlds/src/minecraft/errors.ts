/**
 * Errors of the Minecraft world: the server process failed to start, died, or refused a request.
 * A base class with a cross-realm marker (checks work across duplicated installs).
 */
const MARKER = Symbol.for('chimera.error.MinecraftWorldError');

export class MinecraftWorldError extends Error {
  readonly [MARKER] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MinecraftWorldError';
  }

  static isInstance(value: unknown): value is MinecraftWorldError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** The server process is not running (it was stopped, killed, or crashed). */
export class MinecraftServerDownError extends MinecraftWorldError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MinecraftServerDownError';
  }
}
