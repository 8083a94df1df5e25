/**
 * Short, safe descriptions of values for error messages: bounded length, no recursion into the
 * value (a hostile argument may be huge or deeply nested), no getters invoked beyond own data.
 */

const identifier = /^[A-Za-z_$][\w$]*$/;

export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && identifier.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Walks `path` through own properties only; returns undefined where the path leaves the value. */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}${value.length > 40 ? ` (${value.length} chars)` : ''}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object': {
      const keys = Object.keys(value as object);
      const shown = keys.slice(0, 5).join(', ');
      return keys.length === 0 ? 'empty object' : `object with keys ${shown}${keys.length > 5 ? ', …' : ''}`;
    }
    default:
      return typeof value;
  }
}
