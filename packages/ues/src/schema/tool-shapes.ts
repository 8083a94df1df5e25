/**
 * Zod mirrors of @chimera/toolbelt's ToolCall and DispatchResult, so that an experience stores
 * the action exactly as the TAL dispatched it without this package depending on the toolbelt at
 * run time. tool-shapes.test.ts checks, at type level, that both directions are assignable.
 */
import { z } from 'zod';
import { findNonJson } from './json-value';

/** Any JSON value; refuses what JSON would silently change (NaN, functions, byte arrays). */
export const JsonValueSchema = z.unknown().check((ctx) => {
  // A top-level undefined (a tool that returned nothing) reads back as an absent key: same meaning.
  if (ctx.value === undefined) return;
  const found = findNonJson(ctx.value);
  if (found) ctx.issues.push({ code: 'custom', message: found.message, input: ctx.value, path: found.path });
});

/**
 * A JSON value whose key may be absent: `args: undefined` (a tool without arguments) or `value:
 * undefined` (a tool that returned nothing) is stored as a missing key, and must still validate
 * when read back (JSONL import). The static type stays `unknown` (required key, as in the
 * toolbelt's ToolCall and DispatchResult) because `unknown` already includes undefined.
 */
export const AbsentOrJsonSchema = JsonValueSchema.optional() as unknown as typeof JsonValueSchema;

export const JsonObjectSchema = z.record(z.string(), z.unknown()).check((ctx) => {
  const found = findNonJson(ctx.value);
  if (found) ctx.issues.push({ code: 'custom', message: found.message, input: ctx.value, path: found.path });
});

export const ToolCallSchema = z.strictObject({
  tool: z.string().min(1),
  args: AbsentOrJsonSchema,
  id: z.string().optional(),
});

export const ToolErrorCodeSchema = z.enum([
  'parse_error',
  'unknown_tool',
  'invalid_arguments',
  'permission_denied',
  'rate_limited',
  'handler_error',
  'timeout',
  'invalid_output',
  'stale_entity',
  'environment_error',
]);

export const ToolErrorInfoSchema = z.strictObject({
  code: ToolErrorCodeSchema,
  message: z.string(),
  details: JsonObjectSchema.optional(),
});

export const DispatchResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    tool: z.string(),
    value: AbsentOrJsonSchema,
    durationMs: z.number().nonnegative(),
    callId: z.string().optional(),
  }),
  z.strictObject({
    ok: z.literal(false),
    tool: z.string(),
    error: ToolErrorInfoSchema,
    durationMs: z.number().nonnegative(),
    callId: z.string().optional(),
  }),
]);

export type ToolCallRecord = z.output<typeof ToolCallSchema>;
export type DispatchResultRecord = z.output<typeof DispatchResultSchema>;
