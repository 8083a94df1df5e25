/**
 * JSON for a model's eyes: no whitespace, no null/undefined fields, floats rounded, and never a
 * throw (cycles, BigInt, functions and absurd nesting become short markers). Round-trips through
 * JSON.parse.
 */

export interface CompactJsonOptions {
  /** Decimal places kept on non-integers (default 4; `Infinity` keeps all). */
  precision?: number;
  /** Drop object fields that are null (default true; undefined fields are always dropped). */
  omitNull?: boolean;
  /** Drop object fields that are empty arrays or empty objects (default false). */
  omitEmpty?: boolean;
  /** Nesting depth beyond which values become `"…"` (default 32). */
  maxDepth?: number;
}

export function compactJson(value: unknown, options: CompactJsonOptions = {}): string {
  const precision = options.precision ?? 4;
  const settings = {
    scale: Number.isFinite(precision) ? 10 ** precision : 0,
    omitNull: options.omitNull ?? true,
    omitEmpty: options.omitEmpty ?? false,
    maxDepth: options.maxDepth ?? 32,
    seen: new Set<object>(),
  };
  return encode(value, 0, settings) ?? 'null';
}

interface Settings {
  scale: number;
  omitNull: boolean;
  omitEmpty: boolean;
  maxDepth: number;
  seen: Set<object>;
}

/** Encoded text, or undefined for values JSON leaves out (undefined, functions, symbols). */
function encode(value: unknown, depth: number, s: Settings): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) return 'null';
      if (s.scale === 0 || Number.isInteger(value)) return String(value);
      return String(Math.round(value * s.scale) / s.scale);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= s.maxDepth) return '"…"';
  if (s.seen.has(value)) return '"[circular]"';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return encode(toJSON.call(value), depth, s);
  s.seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) parts.push(encode(item, depth + 1, s) ?? 'null');
    out = `[${parts.join(',')}]`;
  } else if (value instanceof Map) {
    out = encode(Object.fromEntries(value), depth, s) ?? '{}';
  } else if (value instanceof Set) {
    out = encode([...value], depth, s) ?? '[]';
  } else if (ArrayBuffer.isView(value)) {
    out = `"[${value.byteLength} bytes]"`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (field === null && s.omitNull) continue;
      if (s.omitEmpty && isEmpty(field)) continue;
      const encoded = encode(field, depth + 1, s);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    out = `{${parts.join(',')}}`;
  }
  s.seen.delete(value);
  return out;
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}
