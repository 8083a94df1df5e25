import { describe, expect, it } from 'vitest';
import { compactJson } from '../index';

describe('compactJson', () => {
  it('drops whitespace, null and undefined fields, and rounds floats', () => {
    expect(compactJson({ a: 1, b: null, c: undefined, d: [1.234567, null], e: 'x' })).toBe(
      '{"a":1,"d":[1.2346,null],"e":"x"}',
    );
    expect(compactJson({ a: null }, { omitNull: false })).toBe('{"a":null}');
    expect(compactJson({ a: [], b: {}, c: 1 }, { omitEmpty: true })).toBe('{"c":1}');
    expect(compactJson(0.1 + 0.2, { precision: Number.POSITIVE_INFINITY })).toBe('0.30000000000000004');
  });

  it('never throws: cycles, BigInt, Maps, bytes and deep nesting become markers', () => {
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    expect(compactJson(cyclic)).toBe('{"name":"root","self":"[circular]"}');
    expect(compactJson({ n: 10n, m: new Map([['k', 1]]), s: new Set([1]), b: new Uint8Array(3) })).toBe(
      '{"n":"10","m":{"k":1},"s":[1],"b":"[3 bytes]"}',
    );
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(compactJson(deep, { maxDepth: 3 })).toBe('[[["…"]]]');
    expect(() => compactJson(deep)).not.toThrow();
  });

  it('keeps a __proto__ key as plain data and round-trips through JSON.parse', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"when":"2024-01-01"}');
    const text = compactJson({ ...value, at: new Date(0) });
    expect(text).toBe('{"__proto__":{"x":1},"when":"2024-01-01","at":"1970-01-01T00:00:00.000Z"}');
    expect(Object.keys(JSON.parse(text))).toEqual(['__proto__', 'when', 'at']);
  });
});
