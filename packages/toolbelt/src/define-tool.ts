/**
 * Tool definitions. `defineTool` takes zod 4 schemas and infers the handler's argument and result
 * types from them; `defineJsonSchemaTool` takes raw JSON Schema (tools imported from elsewhere) and
 * validates with ajv. Both produce the same `Tool` record: JSON Schemas for export, precompiled
 * validators for dispatch, and the handler.
 */
import { z } from 'zod';
import { ToolDefinitionError } from './errors/tool-definition-error';
import { compileJsonSchema, type JsonSchema } from './validation/json-schema-validator';
import { type Validator, zodValidator } from './validation/validator';

/** What a handler receives besides its arguments. */
export interface ToolContext {
  /** Aborted when the call times out or the caller cancels it. */
  readonly signal: AbortSignal;
  /** The call's id, when the model or caller gave one. */
  readonly callId?: string;
  /** Caller-supplied data (episode id, agent id, tab id...), passed through untouched. */
  readonly metadata?: Record<string, unknown>;
  /** Name of the tool being run. */
  readonly tool: string;
}

/** MCP tool annotations (hints only; a client must not trust them for security decisions). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

interface CommonDefinition {
  /** Unique, machine-readable name: letters, digits, `_` and `-`, at most 64 (valid for MCP and OpenAI). */
  name: string;
  /** Human-readable display name (MCP `title`). */
  title?: string;
  /** What the tool does, when to use it, what its parameters mean: the model's main guide. */
  description: string;
  /** Environments the tool belongs to, e.g. `['web', 'navigation']`. */
  environmentTags: readonly string[];
  /** Estimated computational or token cost (blueprint `cost_estimate`), for the MCC's planning. */
  costEstimate?: number;
  /** A few-shot example of a valid call, e.g. `{"tool":"add","args":{"a":1,"b":2}}`. */
  exampleUsage?: string;
  annotations?: ToolAnnotations;
  /** Per-tool timeout in ms; overrides the TAL's default. `0` or `Infinity` disables it. */
  timeoutMs?: number;
}

export interface ToolDefinition<I extends z.ZodType, O extends z.ZodType> extends CommonDefinition {
  input: I;
  output: O;
  /**
   * Rejects unknown top-level arguments when `input` is a plain `z.object` (default true), so a
   * misspelled argument is reported instead of silently dropped. `z.looseObject` is left as is.
   */
  strictInput?: boolean;
  handler(args: z.output<I>, ctx: ToolContext): z.input<O> | Promise<z.input<O>>;
}

export interface JsonSchemaToolDefinition<A = Record<string, unknown>, R = unknown> extends CommonDefinition {
  /** JSON Schema (draft 2020-12, or draft-07 when `$schema` says so) of the arguments; must describe an object. */
  inputSchema: JsonSchema;
  /** JSON Schema of the result; when omitted the result is not validated. */
  outputSchema?: JsonSchema;
  handler(args: A, ctx: ToolContext): R | Promise<R>;
}

/**
 * A defined tool. `I` and `O` are the zod schemas of its input and output (plain `z.ZodType` for
 * JSON Schema tools, whose types come from the definition's type parameters).
 */
export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType>
  extends Readonly<CommonDefinition> {
  readonly environmentTags: readonly string[];
  /** The zod input schema (zod tools only). */
  readonly input?: I;
  /** The zod output schema (zod tools only). */
  readonly output?: O;
  /** JSON Schema (draft 2020-12 for zod tools) of the arguments, as exported to MCP and OpenAI. */
  readonly inputSchema: JsonSchema;
  /** JSON Schema of the result, when there is one. */
  readonly outputSchema?: JsonSchema;
  readonly validateInput: Validator<z.output<I>>;
  /** Absent when the tool declares no output schema. */
  readonly validateOutput?: Validator<z.output<O>>;
  // Method syntax (bivariant parameters) so a Tool<specific> is assignable to Tool and AnyTool.
  handler(args: z.output<I>, ctx: ToolContext): z.input<O> | Promise<z.input<O>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the widest tool type, for collections of mixed tools.
export type AnyTool = Tool<any, any>;

/** Argument type of a tool after validation. */
export type ToolArgs<T> = T extends Tool<infer I, z.ZodType> ? z.output<I> : never;
/** Result type of a tool after output validation. */
export type ToolResult<T> = T extends Tool<z.ZodType, infer O> ? z.output<O> : never;

const validName = /^[A-Za-z0-9_-]{1,64}$/;

export function defineTool<I extends z.ZodType, O extends z.ZodType>(
  definition: ToolDefinition<I, O>,
): Tool<I, O> {
  checkCommon(definition);
  const { input, output, strictInput = true, handler, ...rest } = definition;
  if (!(input instanceof z.ZodType) || !(output instanceof z.ZodType)) {
    throw new ToolDefinitionError(definition.name, '`input` and `output` must be zod 4 schemas');
  }
  const validatedInput = strictInput ? strictTopLevel(input) : input;
  const inputSchema = toJsonSchema(definition.name, validatedInput, 'input');
  checkObjectSchema(definition.name, inputSchema);
  return {
    ...rest,
    environmentTags: Object.freeze([...definition.environmentTags]),
    input,
    output,
    inputSchema,
    outputSchema: toJsonSchema(definition.name, output, 'output'),
    validateInput: zodValidator(validatedInput) as Validator<z.output<I>>,
    validateOutput: zodValidator(output),
    handler,
  };
}

export function defineJsonSchemaTool<A = Record<string, unknown>, R = unknown>(
  definition: JsonSchemaToolDefinition<A, R>,
): Tool<z.ZodType<A>, z.ZodType<R>> {
  checkCommon(definition);
  const { inputSchema, outputSchema, handler, ...rest } = definition;
  checkObjectSchema(definition.name, inputSchema);
  const tool: Tool<z.ZodType<A>, z.ZodType<R>> = {
    ...rest,
    environmentTags: Object.freeze([...definition.environmentTags]),
    inputSchema,
    validateInput: compile<A>(definition.name, inputSchema, 'inputSchema'),
    handler,
  };
  if (outputSchema !== undefined) {
    return {
      ...tool,
      outputSchema,
      validateOutput: compile<R>(definition.name, outputSchema, 'outputSchema'),
    };
  }
  return tool;
}

function checkCommon(definition: CommonDefinition): void {
  const name = String(definition.name);
  if (!validName.test(name)) {
    throw new ToolDefinitionError(
      name,
      'name must be 1-64 letters, digits, "_" or "-" (MCP and OpenAI both accept these)',
    );
  }
  if (typeof definition.description !== 'string' || definition.description.trim() === '') {
    throw new ToolDefinitionError(
      name,
      'a description is required: it is what the model reads to pick the tool',
    );
  }
  if (
    !Array.isArray(definition.environmentTags) ||
    definition.environmentTags.some((t) => typeof t !== 'string')
  ) {
    throw new ToolDefinitionError(name, 'environmentTags must be an array of strings');
  }
  if (definition.timeoutMs !== undefined && !(definition.timeoutMs >= 0)) {
    throw new ToolDefinitionError(name, 'timeoutMs must be >= 0 (0 or Infinity disables the timeout)');
  }
}

function strictTopLevel(schema: z.ZodType): z.ZodType {
  // A plain z.object has no catchall; strictObject/looseObject set one and are left alone.
  if (schema instanceof z.ZodObject && schema.def.catchall === undefined) return schema.strict();
  return schema;
}

function toJsonSchema(name: string, schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  try {
    const { $schema: _draft, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    return json;
  } catch (cause) {
    throw new ToolDefinitionError(name, `its ${io} schema cannot be expressed as JSON Schema`, { cause });
  }
}

function checkObjectSchema(name: string, schema: JsonSchema): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ToolDefinitionError(name, 'the input schema must be a JSON Schema object');
  }
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  const isObject =
    schema.type === 'object' ||
    (schema.type === undefined && 'properties' in schema) ||
    (Array.isArray(branches) && branches.every((b) => b?.type === 'object'));
  if (!isObject) {
    throw new ToolDefinitionError(name, 'the input must be an object schema (tool arguments are named)');
  }
}

function compile<T>(name: string, schema: JsonSchema, field: string): Validator<T> {
  try {
    return compileJsonSchema<T>(schema);
  } catch (cause) {
    throw new ToolDefinitionError(
      name,
      `${field} is not a valid JSON Schema: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
