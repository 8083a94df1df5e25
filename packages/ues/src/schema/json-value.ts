/**
 * Free-form payloads (observations, tool arguments, tool results) must survive JSON storage
 * unchanged. JSON.stringify silently turns NaN into null, drops functions, and writes a
 * Uint8Array as an object of indices: this check refuses such values up front instead, so what
 * is read back is what was appended.
 */

const MAX_DEPTH = 64;

/** Returns `null` when `value` round-trips through JSON, else the problem and its relative path. */
export function findNonJson(
  value: unknown,
  depth = 0,
): { path: (string | number)[]; message: string } | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : { path: [], message: `${value} is not representable in JSON` };
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_DEPTH)
        return { path: [], message: `nested deeper than ${MAX_DEPTH} levels (a cycle?)` };
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item === undefined)
            return { path: [i], message: 'undefined in an array (JSON has no undefined)' };
          const found = findNonJson(item, depth + 1);
          if (found) return { path: [i, ...found.path], message: found.message };
        }
        return null;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as object).constructor?.name ?? 'object';
        const hint = ArrayBuffer.isView(value) ? ' (store bytes in the blob store and keep the ref)' : '';
        return { path: [], message: `a ${kind} is not a plain JSON value${hint}` };
      }
      for (const key in value as Record<string, unknown>) {
        const item = (value as Record<string, unknown>)[key];
        // An undefined property is the same as an absent one after a round trip: allowed.
        if (item === undefined) continue;
        const found = findNonJson(item, depth + 1);
        if (found) return { path: [key, ...found.path], message: found.message };
      }
      return null;
    }
    default:
      return { path: [], message: `a ${typeof value} is not a JSON value` };
  }
}

/** A short description of any value for an error message; never throws (String() does on some objects). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value)?.slice(0, 60) ?? typeof value;
  } catch {
    return typeof value;
  }
}
