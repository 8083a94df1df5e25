/**
 * One validator shape for zod and JSON Schema tools. On success it returns the (possibly
 * transformed) value; on failure it returns a function that builds the issues, so the success path
 * never pays for error details.
 */
import { z } from 'zod';
import { describeValue, jsonPath, valueAtPath } from './describe-value';

export interface ValidationIssue {
  /** JSON path of the offending value, e.g. `$.items[2].id`. */
  path: string;
  /** What the schema wanted there, e.g. `number`, `one of "asc" | "desc"`, `no such property`. */
  expected: string;
  /** What was found there, e.g. `string "12"`, `missing`. */
  received: string;
  message: string;
}

export type ValidationOutcome<T> =
  | { success: true; data: T }
  | { success: false; issues: () => ValidationIssue[] };

export type Validator<T> = (value: unknown) => ValidationOutcome<T>;

const maxIssues = 5;

const syncContext = { async: false } as const;

type RawRun = (
  payload: { value: unknown; issues: z.core.$ZodRawIssue[] },
  ctx: typeof syncContext,
) => { value: unknown; issues: z.core.$ZodRawIssue[] } | Promise<unknown>;

/**
 * Wraps a zod schema. Runs the schema's core `_zod.run` rather than `safeParse`: on failure,
 * `safeParse` builds a ZodError (an Error, with a captured stack) that costs ~10x the parse itself,
 * and dispatch only needs the raw issues, finalized (messages resolved) when someone asks for them.
 * Falls back to `safeParse` where that core hook is missing or the schema is async.
 */
export function zodValidator<S extends z.ZodType>(schema: S): Validator<z.output<S>> {
  const run = (schema as unknown as { _zod?: { run?: RawRun } })._zod?.run;
  if (typeof run !== 'function') return classicZodValidator(schema);
  const classic = classicZodValidator(schema);
  return (value) => {
    const result = run({ value, issues: [] }, syncContext);
    if (result instanceof Promise) {
      result.catch(() => {});
      return classic(value);
    }
    if (result.issues.length === 0) return { success: true, data: result.value as z.output<S> };
    const raw = result.issues;
    return {
      success: false,
      issues: () =>
        zodIssues(
          raw.map((issue) => z.core.util.finalizeIssue(issue, syncContext, z.core.config())),
          value,
        ),
    };
  };
}

function classicZodValidator<S extends z.ZodType>(schema: S): Validator<z.output<S>> {
  return (value) => {
    const result = schema.safeParse(value);
    if (result.success) return result as { success: true; data: z.output<S> };
    return { success: false, issues: () => zodIssues(result.error.issues, value) };
  };
}

function zodIssues(issues: readonly z.core.$ZodIssue[], root: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (out.length >= maxIssues) break;
    const path = (issue.path ?? []) as readonly PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: jsonPath([...path, key]),
          expected: 'no such property',
          received: 'unexpected property',
          message: `unknown argument "${key}"`,
        });
      }
      continue;
    }
    const received = describeValue(valueAtPath(root, path));
    out.push({ path: jsonPath(path), expected: expectedOf(issue), received, message: issue.message });
  }
  return out.slice(0, maxIssues);
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'too_small':
      return `${issue.origin} ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${sizeUnit(issue.origin)}`;
    case 'too_big':
      return `${issue.origin} ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}${sizeUnit(issue.origin)}`;
    case 'invalid_format':
      return `${issue.format} format`;
    case 'invalid_union':
      return 'one of the allowed shapes';
    default:
      return issue.message;
  }
}

function sizeUnit(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}
