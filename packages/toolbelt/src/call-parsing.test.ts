import { describe, expect, it } from 'vitest';
import { extractJson, parseToolCall } from './index';

describe('parseToolCall', () => {
  it.each([
    ['bare JSON', '{"tool":"a","args":{"x":1}}'],
    ['fenced with prose', 'Here you go:\n```json\n{"tool":"a","args":{"x":1}}\n```\nLet me know.'],
    ['trailing prose with braces', '{"tool":"a","args":{"x":1}} and then {maybe} more'],
    ['name/arguments', '{"name":"a","arguments":{"x":1}}'],
    ['arguments as a JSON string', '{"name":"a","arguments":"{\\"x\\":1}"}'],
    [
      'OpenAI tool_calls',
      '{"tool_calls":[{"id":"c","type":"function","function":{"name":"a","arguments":"{\\"x\\":1}"}}]}',
    ],
    ['a one-element array', '[{"tool":"a","args":{"x":1}}]'],
  ])('reads %s', (_label, text) => {
    expect(parseToolCall(text)).toMatchObject({ ok: true, call: { tool: 'a', args: { x: 1 } } });
  });

  it('keeps string braces out of the balance count', () => {
    expect(extractJson('x {"tool":"a","args":{"s":"}{"}} y')).toBe('{"tool":"a","args":{"s":"}{"}}');
  });

  it('keeps call ids, and treats missing args as {}', () => {
    expect(parseToolCall({ name: 'a', call_id: 'k1' })).toEqual({
      ok: true,
      call: { tool: 'a', args: {}, id: 'k1' },
    });
  });

  it('explains what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      ['no json here', /No JSON object/],
      ['{"tool": "a", "args": {', /not valid JSON/],
      ['[{"tool":"a"},{"tool":"b"}]', /exactly one tool call, got an array of 2/],
      ['{"args": {}}', /no tool name/],
      ['{"name":"a","arguments":"{oops"}', /arguments of "a" are not valid JSON/],
      [42, /got number/],
      ['x'.repeat(20), /No JSON/],
    ];
    for (const [input, message] of cases) {
      const parsed = parseToolCall(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.error.code).toBe('parse_error');
        expect(parsed.error.message).toMatch(message);
      }
    }
    expect(parseToolCall('{}', { maxChars: 1 })).toMatchObject({
      ok: false,
      error: { message: /limit is 1/ },
    });
  });

  it('never reads a tool name through the prototype', () => {
    const parsed = parseToolCall('{"__proto__": {"tool": "a"}, "args": {}}');
    expect(parsed).toMatchObject({ ok: false, error: { code: 'parse_error' } });
  });
});
