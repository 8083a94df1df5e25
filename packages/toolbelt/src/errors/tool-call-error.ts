/**
 * An error a tool handler throws on purpose to give the model a specific structured error
 * (`code`, `message`, `details`) instead of a generic `handler_error`. The TAL turns it into a
 * failed DispatchResult carrying exactly these fields.
 */
import type { ToolErrorCode, ToolErrorInfo } from '../types';
import { hasMarker, ToolbeltError } from './toolbelt-error';

const marker = 'chimera.error.ToolCallError';
const symbol = Symbol.for(marker);

export class ToolCallError extends ToolbeltError {
  // The brand that isInstance checks (see hasMarker).
  protected readonly [symbol] = true;
  readonly code: ToolErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ToolErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ToolCallError';
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }

  toInfo(): ToolErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static override isInstance(error: unknown): error is ToolCallError {
    return hasMarker(error, marker);
  }
}
