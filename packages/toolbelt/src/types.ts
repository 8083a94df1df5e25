/**
 * Core shapes shared by the TAL, the environments and the experience store.
 * A dispatch never throws into the agent loop: every outcome is a DispatchResult.
 */

/** A tool call as a model (or a policy) emits it. */
export interface ToolCall {
  tool: string;
  args: unknown;
  /** Optional call id (for correlating with a model's function-calling id). */
  id?: string;
}

export type ToolErrorCode =
  | 'parse_error'
  | 'unknown_tool'
  | 'invalid_arguments'
  | 'permission_denied'
  | 'rate_limited'
  | 'handler_error'
  | 'timeout'
  | 'invalid_output'
  | 'stale_entity'
  | 'environment_error';

/** A model-readable error: data, not an exception. */
export interface ToolErrorInfo {
  code: ToolErrorCode;
  message: string;
  /** Extra structured detail (JSON path, expected, received, closest tool names, schema reminder). */
  details?: Record<string, unknown>;
}

export type DispatchResult<T = unknown> =
  | { ok: true; tool: string; value: T; durationMs: number; callId?: string }
  | { ok: false; tool: string; error: ToolErrorInfo; durationMs: number; callId?: string };
