/**
 * Turns what a model produced into a ToolCall. Accepts a call object or model text: bare JSON, JSON
 * in a ```json fence, JSON with prose before or after it. Understands the common shapes
 * (`{tool, args}`, `{name, arguments}`, OpenAI's `{function: {name, arguments}}` with arguments as a
 * JSON string). Never throws: anything unusable becomes a `parse_error` the model can act on.
 */
import type { ToolCall, ToolErrorInfo } from './types';

export type ParsedCall = { ok: true; call: ToolCall } | { ok: false; error: ToolErrorInfo };

export interface ParseOptions {
  /** Longest text accepted, in characters (default 1,000,000). */
  maxChars?: number;
}

const expectedShape = 'Expected one JSON object like {"tool": "<name>", "args": {...}}.';

export function parseToolCall(input: unknown, options: ParseOptions = {}): ParsedCall {
  if (typeof input === 'string') return parseText(input, options.maxChars ?? 1_000_000);
  return fromObject(input);
}

function parseText(text: string, maxChars: number): ParsedCall {
  if (text.length > maxChars) {
    return fail(
      `The tool call is ${text.length} characters long; the limit is ${maxChars}. ${expectedShape}`,
    );
  }
  const json = extractJson(text);
  if (json === undefined) {
    return fail(`No JSON object found in the text. ${expectedShape}`, { received: preview(text) });
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return fail(`The tool call is not valid JSON (${(error as Error).message}). ${expectedShape}`, {
      received: preview(json),
    });
  }
  return fromObject(value);
}

/**
 * The JSON to parse: the first fenced block if there is one, else the first balanced {...} or
 * [...] (string-aware, so braces inside strings do not count).
 */
export function extractJson(text: string): string | undefined {
  const fence = /```[\w-]*[ \t]*\r?\n([\s\S]*?)```/.exec(text);
  const body = fence?.[1] ?? text;
  const start = body.search(/[{[]/);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth === 0) return body.slice(start, i + 1);
    }
  }
  // Unbalanced: hand the rest to JSON.parse so its message says where it broke.
  return body.slice(start);
}

function fromObject(value: unknown): ParsedCall {
  if (Array.isArray(value)) {
    if (value.length === 1) return fromObject(value[0]);
    return fail(`Expected exactly one tool call, got an array of ${value.length}. Send one call at a time.`);
  }
  if (typeof value !== 'object' || value === null) {
    return fail(
      `Expected a tool call object, got ${value === null ? 'null' : typeof value}. ${expectedShape}`,
    );
  }
  let record = value as Record<string, unknown>;
  // OpenAI: {type: 'function', function: {name, arguments}} or {tool_calls: [...]}.
  if (Array.isArray(record.tool_calls)) return fromObject(record.tool_calls);
  if (typeof record.function === 'object' && record.function !== null) {
    const id = record.id;
    record = record.function as Record<string, unknown>;
    if (record.id === undefined && id !== undefined) record = { ...record, id };
  }
  const tool = own(record, 'tool') ?? own(record, 'name') ?? own(record, 'tool_name');
  if (typeof tool !== 'string' || tool === '') {
    return fail(`The tool call has no tool name. ${expectedShape}`, {
      receivedKeys: Object.keys(record).slice(0, 10),
    });
  }
  let args =
    own(record, 'args') ?? own(record, 'arguments') ?? own(record, 'input') ?? own(record, 'parameters');
  if (typeof args === 'string') {
    // Function-calling APIs send arguments as a JSON string.
    const text = args.trim();
    if (text === '') args = {};
    else {
      try {
        args = JSON.parse(text);
      } catch (error) {
        return fail(
          `The arguments of "${tool.slice(0, 64)}" are not valid JSON (${(error as Error).message}).`,
          {
            received: preview(text),
          },
        );
      }
    }
  }
  const id = own(record, 'id') ?? own(record, 'call_id') ?? own(record, 'tool_call_id');
  const call: ToolCall = { tool, args: args === undefined ? {} : args };
  if (typeof id === 'string') call.id = id;
  return { ok: true, call };
}

/** Own property only: a `__proto__` or `constructor` key must never be read through the prototype. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function fail(message: string, details?: Record<string, unknown>): ParsedCall {
  return {
    ok: false,
    error:
      details === undefined ? { code: 'parse_error', message } : { code: 'parse_error', message, details },
  };
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
