/**
 * A DispatchResult as the short text a model reads next: the value as compact JSON (fitted to a
 * token budget when one is given), or the error's code, message and the details that help fix the
 * call. Durations and call ids are for logs, not for the model, and are left out.
 */
import type { DispatchResult } from '../types';
import { compactJson } from './compact-json';
import { truncateToTokens } from './count-tokens';
import { fitToBudget } from './fit-to-budget';

export interface RenderOptions {
  /** Fit a success value into this many o200k tokens (structure kept; see fitToBudget). */
  maxTokens?: number;
  /** Priorities for fitToBudget. */
  priorities?: Record<string, number>;
}

export function renderResult(result: DispatchResult, options: RenderOptions = {}): string {
  if (!result.ok) {
    const { code, message, details } = result.error;
    // The message already states path/expected/received; keep only details that add something.
    const extra = details === undefined ? undefined : usefulDetails(code, details);
    return extra === undefined
      ? `error ${code}: ${message}`
      : `error ${code}: ${message} ${compactJson(extra)}`;
  }
  const value = result.value;
  if (options.maxTokens === undefined) return typeof value === 'string' ? value : compactJson(value);
  if (typeof value === 'string') return truncateToTokens(value, options.maxTokens);
  return fitToBudget(value, {
    maxTokens: options.maxTokens,
    ...(options.priorities === undefined ? {} : { priorities: options.priorities }),
  }).text;
}

// Codes whose message already says everything their details hold.
const restated = new Set([
  'invalid_arguments',
  'invalid_output',
  'unknown_tool',
  'stale_entity',
  'handler_error',
]);

function usefulDetails(code: string, details: Record<string, unknown>): Record<string, unknown> | undefined {
  if (restated.has(code)) return undefined;
  return Object.keys(details).length === 0 ? undefined : details;
}
