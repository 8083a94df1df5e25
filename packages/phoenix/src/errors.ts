/**
 * Errors of @chimera/phoenix. Program errors are thrown; a bad tool call from a policy is never an
 * exception here (the TAL returns it as data).
 */
const marker = Symbol.for('chimera.error.PhoenixError');

export class PhoenixError extends Error {
  readonly [marker] = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PhoenixError';
  }
  static isInstance(error: unknown): error is PhoenixError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A crash injected by tests (or a kill) interrupted a cycle; `runPhoenix` again resumes. */
export class CycleInterruptedError extends PhoenixError {
  constructor(readonly boundary: string) {
    super(`Phoenix cycle interrupted at ${boundary}; run again with the same state directory to resume`);
    this.name = 'CycleInterruptedError';
  }
}
