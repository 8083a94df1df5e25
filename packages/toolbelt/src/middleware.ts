/**
 * Hooks around dispatch for logging, permissions and experience recording. `before` runs once the
 * call is valid, just before the handler, and may short-circuit by returning a result. `after` runs
 * for every result (successes and every kind of error), in reverse order, and may replace it.
 */
import type { AnyTool } from './define-tool';
import type { DispatchResult, ToolCall } from './types';

export interface BeforeDispatchEvent {
  tool: AnyTool;
  call: ToolCall;
  /** The validated arguments the handler will receive. */
  args: unknown;
  metadata?: Record<string, unknown>;
}

export interface AfterDispatchEvent {
  /** The parsed call; undefined when the input could not be parsed at all. */
  call?: ToolCall;
  /** The tool, when the name was known. */
  tool?: AnyTool;
  /** The raw input to dispatch (object or model text). */
  input: unknown;
  result: DispatchResult;
  metadata?: Record<string, unknown>;
}

export interface DispatchMiddleware {
  readonly name: string;
  // `void` so a hook that returns nothing type-checks as written: () => { log(...) }.
  // biome-ignore lint/suspicious/noConfusingVoidType: see above
  before?(event: BeforeDispatchEvent): void | DispatchResult | Promise<void | DispatchResult>;
  // biome-ignore lint/suspicious/noConfusingVoidType: see above
  after?(event: AfterDispatchEvent): void | DispatchResult | Promise<void | DispatchResult>;
}
