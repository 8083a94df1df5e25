/**
 * A program error in how tools are defined or registered (bad name, schema that does not compile,
 * duplicate registration). Thrown at definition time, never produced by a model's call.
 */
import { hasMarker, ToolbeltError } from './toolbelt-error';

const marker = 'chimera.error.ToolDefinitionError';
const symbol = Symbol.for(marker);

export class ToolDefinitionError extends ToolbeltError {
  // The brand that isInstance checks (see hasMarker).
  protected readonly [symbol] = true;
  readonly tool: string;

  constructor(tool: string, message: string, options?: { cause?: unknown }) {
    super(`tool "${tool}": ${message}`, options);
    this.name = 'ToolDefinitionError';
    this.tool = tool;
  }

  static override isInstance(error: unknown): error is ToolDefinitionError {
    return hasMarker(error, marker);
  }
}
