/**
 * The grammar a local model decodes tool calls under: one JSON object
 * `{"reasoning": "...", "name": "<tool>", "arguments": {...}}` whose `name` is one of the tools and
 * whose `arguments` follow that tool's JSON Schema. Built as a node-llama-cpp JSON-schema grammar
 * (its `GbnfJsonSchema` subset: types, enum, const, oneOf, object properties, array items and
 * counts) with strings and what that subset lacks written as GBNF by this package
 * (`regex-gbnf.ts`): strings (lengths, and only characters UTF-8 can carry), string `pattern`s,
 * integer `minimum` / `maximum`. Each such value is a placeholder constant in the schema,
 * replaced by its GBNF in the generated grammar text.
 *
 * What neither can express is listed in `unenforced` (e.g. a number's range, `multipleOf`, string
 * formats other than date and time, `uniqueItems`): a call may break those, and the TAL's
 * validation sends it back to the model as a correction like any other invalid call.
 */
import type { OpenAIFunctionTool } from '@chimera/toolbelt';
import { integerRangeToGbnf, jsonStringToGbnf, patternToGbnf } from './regex-gbnf';

export interface ToolCallGrammarOptions {
  /**
   * Longest string the grammar lets the model write where the schema sets no `maxLength` (and the
   * cap on a larger one): default 256. Keeps a model that never closes a string within budget.
   */
  maxStringLength?: number;
  /** Most array items where the schema sets no `maxItems` (and the cap on a larger one): default 16. */
  maxArrayItems?: number;
  /** Most repetitions of `*`, `+`, `{n,}` in a pattern: default 32. */
  maxPatternRepeat?: number;
  /**
   * Length of the free-text `reasoning` field the model writes before the call (it becomes the
   * experience's thought process); 0 leaves the field out. Default 256.
   */
  reasoningLength?: number;
}

/** A JSON Schema in node-llama-cpp's `GbnfJsonSchema` subset (plain data). */
export type GrammarSchema = Record<string, unknown>;

export interface ToolCallGrammar {
  /** The schema for node-llama-cpp's `createGrammarForJsonSchema`. */
  schema: GrammarSchema;
  /** Placeholder constant -> GBNF of the JSON value it stands for (quotes included for strings). */
  substitutions: Map<string, string>;
  /** Keywords the grammar does not enforce, as `<tool>.<path>: <keyword>`. */
  unenforced: string[];
}

const PLACEHOLDER = (n: number) => `@@chimera-gbnf-${n}@@`;
/** Keywords that only document or that the grammar meets by construction. */
const HARMLESS = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$comment',
  'required',
  'additionalProperties',
  'type',
]);

class Converter {
  readonly substitutions = new Map<string, string>();
  readonly unenforced: string[] = [];
  readonly #maxString: number;
  readonly #maxItems: number;
  readonly #maxRepeat: number;

  constructor(options: ToolCallGrammarOptions) {
    this.#maxString = options.maxStringLength ?? 256;
    this.#maxItems = options.maxArrayItems ?? 16;
    this.#maxRepeat = options.maxPatternRepeat ?? 32;
  }

  #substitute(gbnf: string): GrammarSchema {
    const key = PLACEHOLDER(this.substitutions.size);
    this.substitutions.set(key, gbnf);
    return { const: key };
  }

  #skip(path: string, keywords: string[]): void {
    for (const k of keywords) this.unenforced.push(`${path}: ${k}`);
  }

  convert(schema: unknown, path: string): GrammarSchema {
    if (schema === true || schema === undefined || (isObject(schema) && Object.keys(schema).length === 0)) {
      this.#skip(path, ['any value (scalars only)']);
      return { type: ['string', 'number', 'boolean', 'null'] };
    }
    if (!isObject(schema)) {
      this.#skip(path, ['not a schema']);
      return { type: ['string', 'number', 'boolean', 'null'] };
    }
    if ('const' in schema) return { const: schema.const as never };
    if (Array.isArray(schema.enum)) {
      const scalars = schema.enum.filter((v) => v === null || typeof v !== 'object');
      if (scalars.length < schema.enum.length) this.#skip(path, ['enum (object and array members)']);
      return { enum: scalars };
    }
    const union = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
    if (Array.isArray(union)) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      return {
        oneOf: union.map((s, i) => this.convert(isObject(s) ? { ...rest, ...s } : s, `${path}|${i}`)),
      };
    }
    if (Array.isArray(schema.allOf)) {
      if (schema.allOf.length === 1) {
        const { allOf, ...rest } = schema;
        return this.convert({ ...rest, ...(allOf as Record<string, unknown>[])[0] }, path);
      }
      this.#skip(path, ['allOf (all but the first)']);
      return this.convert(schema.allOf[0], path);
    }
    if (typeof schema.$ref === 'string') {
      this.#skip(path, ['$ref']);
      return { type: ['string', 'number', 'boolean', 'null'] };
    }
    const type = schema.type;
    if (Array.isArray(type)) {
      return { oneOf: type.map((t) => this.convert({ ...schema, type: t }, path)) };
    }
    switch (type) {
      case 'object':
        return this.#object(schema, path);
      case 'array':
        return this.#array(schema, path);
      case 'string':
        return this.#string(schema, path);
      case 'integer':
        return this.#integer(schema, path);
      case 'number':
        this.#leftOut(schema, path, []);
        return { type: 'number' };
      case 'boolean':
      case 'null':
        return { type };
      default:
        if (schema.properties) return this.#object(schema, path);
        this.#skip(path, [`type ${JSON.stringify(type)}`]);
        return { type: ['string', 'number', 'boolean', 'null'] };
    }
  }

  /** Records every keyword of `schema` that is neither harmless nor in `handled`. */
  #leftOut(schema: Record<string, unknown>, path: string, handled: string[]): void {
    const skipped = Object.keys(schema).filter((k) => !HARMLESS.has(k) && !handled.includes(k));
    this.#skip(path, skipped);
  }

  #object(schema: Record<string, unknown>, path: string): GrammarSchema {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const out: Record<string, GrammarSchema> = {};
    for (const [key, value] of Object.entries(properties)) out[key] = this.convert(value, `${path}.${key}`);
    this.#leftOut(schema, path, ['properties', 'minProperties', 'maxProperties']);
    const extra = schema.additionalProperties;
    if (Object.keys(out).length === 0 && isObject(extra)) {
      // A record (`z.record`): its values follow the schema, a bounded number of them.
      return {
        type: 'object',
        additionalProperties: this.convert(extra, `${path}.*`),
        maxProperties: Math.min(numberOr(schema.maxProperties, this.#maxItems), this.#maxItems),
      };
    }
    return { type: 'object', properties: out };
  }

  #array(schema: Record<string, unknown>, path: string): GrammarSchema {
    this.#leftOut(schema, path, ['items', 'prefixItems', 'minItems', 'maxItems']);
    const minItems = numberOr(schema.minItems, 0);
    const out: GrammarSchema = {
      type: 'array',
      minItems,
      maxItems: Math.max(minItems, Math.min(numberOr(schema.maxItems, this.#maxItems), this.#maxItems)),
    };
    if (schema.items !== undefined && !Array.isArray(schema.items))
      out.items = this.convert(schema.items, `${path}[]`);
    else if (schema.items === undefined && !schema.prefixItems) out.items = this.convert(true, `${path}[]`);
    const prefix = (schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined)) as
      | unknown[]
      | undefined;
    if (prefix) out.prefixItems = prefix.map((s, i) => this.convert(s, `${path}[${i}]`));
    return out;
  }

  #string(schema: Record<string, unknown>, path: string): GrammarSchema {
    const minLength = numberOr(schema.minLength, 0);
    const maxLength = Math.max(
      minLength,
      Math.min(numberOr(schema.maxLength, this.#maxString), this.#maxString),
    );
    if (typeof schema.pattern === 'string') {
      const gbnf = patternToGbnf(schema.pattern, this.#maxRepeat);
      if (gbnf !== undefined) {
        // The pattern decides the characters; its lengths stay the TAL's to check.
        this.#leftOut(schema, path, ['pattern', 'minLength', 'maxLength']);
        if (schema.minLength !== undefined || schema.maxLength !== undefined)
          this.#skip(path, ['minLength/maxLength with a pattern']);
        return this.#substitute(`"\\"" ${gbnf} "\\""`);
      }
      this.#skip(path, [`pattern ${schema.pattern} (outside the supported subset)`]);
    }
    if (schema.format === 'date-time' || schema.format === 'date' || schema.format === 'time') {
      this.#leftOut(schema, path, ['format', 'pattern']);
      return { type: 'string', format: schema.format };
    }
    this.#leftOut(schema, path, ['minLength', 'maxLength', 'pattern']);
    return this.#substitute(jsonStringToGbnf(minLength, maxLength));
  }

  #integer(schema: Record<string, unknown>, path: string): GrammarSchema {
    this.#leftOut(schema, path, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);
    let min = typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : undefined;
    let max = typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : undefined;
    if (typeof schema.exclusiveMinimum === 'number')
      min = Math.max(min ?? -Infinity, Math.floor(schema.exclusiveMinimum) + 1);
    if (typeof schema.exclusiveMaximum === 'number')
      max = Math.min(max ?? Infinity, Math.ceil(schema.exclusiveMaximum) - 1);
    if (min === undefined && max === undefined) return { type: 'integer' };
    const lo = Math.max(min ?? -Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER);
    const hi = Math.min(max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (lo > hi) {
      this.#skip(path, ['an empty integer range']);
      return { type: 'integer' };
    }
    return this.#substitute(integerRangeToGbnf(lo, hi));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The tool-call grammar for `tools` (at least one). */
export function toolCallGrammar(
  tools: readonly OpenAIFunctionTool[],
  options: ToolCallGrammarOptions = {},
): ToolCallGrammar {
  if (tools.length === 0) throw new RangeError('a tool-call grammar needs at least one tool');
  const converter = new Converter(options);
  const reasoning = options.reasoningLength ?? 256;
  const calls = tools.map((tool) => ({
    type: 'object',
    properties: {
      ...(reasoning > 0
        ? { reasoning: converter.convert({ type: 'string', maxLength: reasoning }, 'reasoning') }
        : {}),
      name: { const: tool.function.name },
      arguments: converter.convert(tool.function.parameters, tool.function.name),
    },
  }));
  return {
    schema: calls.length === 1 ? calls[0]! : { oneOf: calls },
    substitutions: converter.substitutions,
    unenforced: converter.unenforced,
  };
}

/**
 * Replaces each placeholder constant in grammar text generated from `grammar.schema` by its GBNF.
 * Throws when a placeholder is missing (the generator changed how it writes string constants).
 */
export function substitutePlaceholders(gbnf: string, substitutions: ReadonlyMap<string, string>): string {
  let out = gbnf;
  for (const [key, fragment] of substitutions) {
    // node-llama-cpp writes a string constant as a GBNF literal of its JSON text: "\"<key>\"".
    const literal = `"\\"${key}\\""`;
    if (!out.includes(literal))
      throw new Error(
        `grammar placeholder ${key} not found in the generated grammar; node-llama-cpp changed how it writes string constants`,
      );
    out = out.split(literal).join(`(${fragment})`);
  }
  return out;
}
