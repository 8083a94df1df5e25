/**
 * Builders for the structured, model-readable errors of a dispatch: each message says what was
 * wrong and what to do, and `details` carries the same facts as data.
 */
import { closestNames } from './closest-names';
import type { AnyTool } from './define-tool';
import { ToolCallError } from './errors/tool-call-error';
import type { ToolErrorInfo } from './types';
import { schemaSummary } from './validation/schema-summary';
import type { ValidationIssue } from './validation/validator';

const summaries = new WeakMap<AnyTool, string>();

/** The compact signature of a tool's arguments, computed once per tool. */
export function argumentSummary(tool: AnyTool): string {
  let summary = summaries.get(tool);
  if (summary === undefined) {
    summary = schemaSummary(tool.inputSchema);
    summaries.set(tool, summary);
  }
  return summary;
}

export function unknownToolError(name: string, available: readonly string[]): ToolErrorInfo {
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  const closest = closestNames(name, available);
  const hint =
    closest.length > 0
      ? ` Did you mean ${closest.map((n) => `"${n}"`).join(' or ')}?`
      : available.length <= 20
        ? ` Available tools: ${available.join(', ')}.`
        : '';
  const details: Record<string, unknown> = { closest };
  if (available.length <= 20) details.available = [...available];
  return { code: 'unknown_tool', message: `Unknown tool "${shown}".${hint}`, details };
}

export function invalidArgumentsError(tool: AnyTool, issues: ValidationIssue[]): ToolErrorInfo {
  const schema = argumentSummary(tool);
  const first = issues[0];
  const listed = issues.map(describeIssue).join('; ');
  return {
    code: 'invalid_arguments',
    message: `Invalid arguments for "${tool.name}": ${listed || 'rejected by its schema'}. Arguments must match ${schema}.`,
    details: {
      path: first?.path ?? '$',
      expected: first?.expected ?? 'a value matching the schema',
      received: first?.received ?? 'a value that does not match',
      issues,
      schema,
    },
  };
}

export function invalidOutputError(tool: AnyTool, issues: ValidationIssue[]): ToolErrorInfo {
  const listed = issues.map(describeIssue).join('; ');
  return {
    code: 'invalid_output',
    message: `"${tool.name}" returned a result that breaks its output schema (a fault in the tool, not in your call): ${listed}.`,
    details: { issues },
  };
}

function describeIssue(issue: ValidationIssue): string {
  if (issue.received === 'unexpected property') return `${issue.path}: not an allowed property`;
  if (issue.received === 'missing') return `${issue.path}: required but missing`;
  return `${issue.path}: expected ${issue.expected}, received ${issue.received}`;
}

export function timeoutError(tool: AnyTool, timeoutMs: number): ToolErrorInfo {
  return {
    code: 'timeout',
    message: `"${tool.name}" did not finish within ${timeoutMs} ms and was aborted. Try a smaller request or another approach.`,
    details: { timeoutMs },
  };
}

export function cancelledError(tool: string, reason: unknown): ToolErrorInfo {
  return {
    code: 'timeout',
    message: `The call to "${tool}" was cancelled by the caller before it finished.`,
    details: { cancelled: true, reason: safeMessage(reason) },
  };
}

/** A thrown value from a handler or a hook, as a model-readable error. */
export function thrownError(tool: string, error: unknown): ToolErrorInfo {
  if (ToolCallError.isInstance(error)) return error.toInfo();
  const name = error instanceof Error ? error.name : typeof error;
  return {
    code: 'handler_error',
    message: `"${tool}" failed: ${safeMessage(error)}`,
    details: { error: name },
  };
}

/** A message from anything thrown, without trusting its toString. */
export function safeMessage(error: unknown): string {
  try {
    const text = error instanceof Error ? error.message : typeof error === 'string' ? error : String(error);
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  } catch {
    return 'unprintable error';
  }
}
