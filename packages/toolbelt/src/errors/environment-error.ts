/**
 * The environment behind a tool failed (browser crashed, server disconnected, navigation blocked),
 * as opposed to the handler having a bug. Inside a handler it becomes an `environment_error` result.
 */
import { ToolCallError } from './tool-call-error';
import { hasMarker } from './toolbelt-error';

const marker = 'chimera.error.EnvironmentError';
const symbol = Symbol.for(marker);

export class EnvironmentError extends ToolCallError {
  // The brand that isInstance checks (see hasMarker).
  protected readonly [symbol] = true;

  constructor(message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super('environment_error', message, options);
    this.name = 'EnvironmentError';
  }

  static override isInstance(error: unknown): error is EnvironmentError {
    return hasMarker(error, marker);
  }
}
