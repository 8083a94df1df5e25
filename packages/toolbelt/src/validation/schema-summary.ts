/**
 * A compact, TypeScript-like reminder of a JSON Schema for error messages, e.g.
 * `{a: number, mode?: "fast"|"slow", tags: string[]}`: enough for a model to fix its call in a
 * fraction of the schema's tokens.
 */
import type { JsonSchema } from './json-schema-validator';

const maxLength = 400;
const maxDepth = 4;

export function schemaSummary(schema: JsonSchema): string {
  const text = summarize(schema, 0);
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function summarize(schema: unknown, depth: number): string {
  if (schema === true || schema === undefined) return 'any';
  if (schema === false) return 'never';
  if (typeof schema !== 'object' || schema === null) return 'any';
  const s = schema as Record<string, unknown>;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join('|');
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return union.map((branch) => summarize(branch, depth)).join(' | ');
  if (depth >= maxDepth) return '…';
  const type = Array.isArray(s.type) ? (s.type as string[]).join('|') : s.type;
  if (type === 'array' || (type === undefined && 'items' in s)) {
    const item = summarize(s.items, depth + 1);
    return item.includes('|') ? `(${item})[]` : `${item}[]`;
  }
  if (type === 'object' || (type === undefined && 'properties' in s)) {
    const properties = (s.properties ?? {}) as Record<string, unknown>;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const fields = Object.entries(properties).map(
      ([key, value]) => `${key}${required.has(key) ? '' : '?'}: ${summarize(value, depth + 1)}`,
    );
    if (fields.length === 0) return 'object';
    return `{${fields.join(', ')}}`;
  }
  if (type === 'integer') return 'integer';
  return typeof type === 'string' ? type : 'any';
}
