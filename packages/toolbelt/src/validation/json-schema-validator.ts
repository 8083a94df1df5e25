/**
 * JSON Schema validation with ajv 8, for tools defined from raw JSON Schema (imported from MCP
 * servers or written by hand). Draft 2020-12 by default; schemas that declare draft-07 (most MCP
 * servers built on zod-to-json-schema) are compiled with ajv's draft-07 class. Compiled once,
 * when the tool is defined.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describeValue, jsonPath, valueAtPath } from './describe-value';
import type { ValidationIssue, Validator } from './validator';

export type JsonSchema = Record<string, unknown>;

// `addUsedSchema: false` keeps schemas with an `$id` from colliding between tools compiled by the
// shared instance; formats are not validated (ajv-formats is not a dependency), only annotated.
const options = {
  strict: false,
  allErrors: true,
  addUsedSchema: false,
  validateFormats: false,
  logger: false,
} as const;

let draft2020: Ajv2020 | undefined;
let draft07: Ajv | undefined;

function compilerFor(schema: JsonSchema): Ajv | Ajv2020 {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[4-7]/.test(declared)) {
    draft07 ??= new Ajv(options);
    return draft07;
  }
  draft2020 ??= new Ajv2020(options);
  return draft2020;
}

/** Compiles `schema`; throws (a program error) when it is not a valid JSON Schema. */
export function compileJsonSchema<T = unknown>(schema: JsonSchema): Validator<T> {
  const compiler = compilerFor(schema);
  const { $schema: _declared, ...rest } = schema;
  const validate = compiler.compile(
    /draft-0[67]/.test(String(_declared ?? '')) ? rest : schema,
  ) as ValidateFunction<T>;
  return (value) => {
    if (validate(value)) return { success: true, data: value as T };
    const errors = validate.errors ?? [];
    return { success: false, issues: () => ajvIssues(errors, value) };
  };
}

function ajvIssues(errors: readonly ErrorObject[], root: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const error of errors) {
    if (out.length >= 5) break;
    // ajv reports the failing branches of anyOf/oneOf before the summary error; keep the summary.
    if (error.schemaPath.includes('/anyOf/') || error.schemaPath.includes('/oneOf/')) continue;
    const segments = pointerSegments(error.instancePath, root);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required') {
      const missing = String(params.missingProperty);
      out.push({
        path: jsonPath([...segments, missing]),
        expected: 'required property',
        received: 'missing',
        message: `missing required argument "${missing}"`,
      });
    } else if (error.keyword === 'additionalProperties') {
      const extra = String(params.additionalProperty);
      out.push({
        path: jsonPath([...segments, extra]),
        expected: 'no such property',
        received: 'unexpected property',
        message: `unknown argument "${extra}"`,
      });
    } else {
      out.push({
        path: jsonPath(segments),
        expected: expectedOf(error),
        received: describeValue(valueAtPath(root, segments)),
        message: error.message ?? error.keyword,
      });
    }
  }
  return out;
}

function expectedOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return String(params.type);
    case 'enum':
      return `one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'const':
      return JSON.stringify(params.allowedValue);
    case 'anyOf':
    case 'oneOf':
      return 'one of the allowed shapes';
    default:
      return (error.message ?? error.keyword).replace(/^must (be )?/, '');
  }
}

/** Splits a JSON pointer into keys, turning array indexes into numbers (for `[2]` in paths). */
function pointerSegments(pointer: string, root: unknown): PropertyKey[] {
  if (pointer === '') return [];
  const out: PropertyKey[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(current) && /^\d+$/.test(key) ? Number(key) : key;
    out.push(segment);
    current = valueAtPath(current, [segment]);
  }
  return out;
}
