/**
 * The GBNF fragments checked by meaning: this subset of GBNF (literals, character classes, groups,
 * alternation, bounded repetition) reads the same as a JavaScript regular expression, so each
 * fragment is turned into one and run over many inputs. That llama.cpp accepts the fragments and
 * decodes under them is tested in node-llama-cpp-backend.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { integerRangeToGbnf, patternToGbnf } from './regex-gbnf';

/** A GBNF fragment of this module's subset as an anchored JavaScript RegExp. */
function asRegExp(gbnf: string): RegExp {
  let out = '';
  for (let i = 0; i < gbnf.length; ) {
    const c = gbnf[i]!;
    if (c === '"') {
      let j = i + 1;
      let literal = '';
      while (gbnf[j] !== '"') {
        if (gbnf[j] === '\\' && gbnf[j + 1] === 'u') {
          literal += String.fromCharCode(Number.parseInt(gbnf.slice(j + 2, j + 6), 16));
          j += 6;
        } else if (gbnf[j] === '\\') {
          literal += gbnf[j + 1];
          j += 2;
        } else literal += gbnf[j++];
      }
      out += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i = j + 1;
    } else if (c === '[') {
      const end = gbnf.indexOf(']', i + 1);
      out += gbnf.slice(i, end + 1).replace(/\\U([0-9a-f]{8})/g, (_, hex: string) => `\\u{${hex}}`);
      i = end + 1;
    } else if (c === ' ') i++;
    else {
      out += c;
      i++;
    }
  }
  return new RegExp(`^(?:${out})$`, 'u');
}

describe('integerRangeToGbnf', () => {
  it.each([
    [0, 9],
    [1, 3],
    [100, 15_000],
    [7, 1234],
    [-25, 40],
    [-300, -12],
    [0, 0],
    [1, 100_000],
  ])('[%i, %i] matches exactly the integers in range, written without leading zeros', (min, max) => {
    const re = asRegExp(integerRangeToGbnf(min, max));
    const step = Math.max(1, Math.floor((max - min) / 4000));
    for (let n = min - 120; n <= max + 120; n += n < min + 150 || n > max - 150 ? 1 : step) {
      expect(re.test(String(n)), `${n}`).toBe(n >= min && n <= max);
    }
    if (min <= 5 && max >= 5) expect(re.test('05')).toBe(false);
    expect(re.test('')).toBe(false);
  });

  it('covers the safe-integer bounds zod writes for .int()', () => {
    const re = asRegExp(integerRangeToGbnf(1, Number.MAX_SAFE_INTEGER));
    expect(re.test(String(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(re.test('9007199254740992')).toBe(false);
    expect(re.test('0')).toBe(false);
  });
});

describe('patternToGbnf', () => {
  const cases: [string, string[], string[]][] = [
    ['^[A-Za-z]+\\d+$', ['e12', 'abc0', 'Z9'], ['12', 'e', 'e12x', '', 'é1']],
    ['^(Enter|Tab|Escape|Arrow(Up|Down)|[a-z])$', ['Enter', 'ArrowUp', 'q'], ['enter', 'ArrowLeft', 'ab']],
    ['^(?:Control\\+)?[A-Z]$', ['Control+A', 'B'], ['Control+', 'Control+ab']],
    ['^\\w{2,4}-\\d{3}$', ['ab-123', 'a_Z9-000'], ['a-123', 'abcde-123', 'ab-12']],
    ['^[^0-9]*$', ['abc', ''], ['a1']],
    ['^a.c$', ['abc', 'a-c'], ['ac', 'abbc']],
    ['x\\d', ['x1', 'ax1b'], ['x', 'xa']],
  ];
  it.each(cases)('%s matches what the pattern matches (within the repetition cap)', (pattern, yes, no) => {
    const gbnf = patternToGbnf(pattern);
    expect(gbnf).toBeDefined();
    const re = asRegExp(gbnf!);
    for (const s of yes) expect(re.test(s), s).toBe(true);
    for (const s of no) expect(re.test(s), s).toBe(false);
  });

  it('writes quotes and backslashes as a JSON string holds them, and never a control character', () => {
    const re = asRegExp(patternToGbnf('^a"\\\\b$')!);
    // The JSON text between the quotes of the string a"\b is a\"\\b.
    expect(re.test('a\\"\\\\b')).toBe(true);
    expect(re.test('a"\\b')).toBe(false);
    expect(patternToGbnf('^[\\x00-\\x1f]$')).toBeUndefined();
    expect(asRegExp(patternToGbnf('^.$')!).test('\n')).toBe(false);
  });

  it('caps unbounded repetition', () => {
    const re = asRegExp(patternToGbnf('^a+$', 4)!);
    expect(re.test('aaaa')).toBe(true);
    expect(re.test('aaaaa')).toBe(false);
  });

  it('returns undefined outside the subset', () => {
    expect(patternToGbnf('^(?=a)a$')).toBeUndefined();
    expect(patternToGbnf('^(a)\\1$')).toBeUndefined();
    expect(patternToGbnf('^\\p{L}+$')).toBeUndefined();
    expect(patternToGbnf('^a$b$')).toBeUndefined();
  });
});
