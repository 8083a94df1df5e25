/**
 * GBNF (llama.cpp's grammar language) for the parts of a JSON Schema that node-llama-cpp's own
 * JSON-schema grammar cannot express: a string's `pattern` (a regular-expression subset) and an
 * integer's `minimum` / `maximum`. The fragments describe the text *inside* a JSON value: a
 * pattern's characters as they appear in a JSON string (quotes and backslashes escaped, control
 * characters left out), an integer range as its decimal digits.
 *
 * Unbounded repetitions (`*`, `+`, `{n,}`) are capped (default 32): a capped match still matches
 * the pattern, and a model that never stops repeating a character cannot run past its token budget.
 */

/** An inclusive code-point range. */
type Range = readonly [number, number];

const MAX_CODE_POINT = 0x10ffff;
/**
 * What a JSON string may hold unescaped: no control characters, no `"`, no `\`; and no surrogate
 * code points, which UTF-8 cannot carry. Written as positive ranges, because llama.cpp decodes
 * byte tokens loosely (a 4-byte sequence above U+10FFFF, a surrogate) and a negated class would let
 * such bytes through into text that decodes to U+FFFD.
 */
const JSON_SAFE: Range[] = [
  [0x20, 0x21],
  [0x23, 0x5b],
  [0x5d, 0xd7ff],
  [0xe000, MAX_CODE_POINT],
];
const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
/** Whitespace a JSON string holds unescaped: the space alone (tab and newlines need escapes). */
const SPACE: Range[] = [[0x20, 0x20]];

function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function intersect(a: Range[], b: Range[]): Range[] {
  const out: Range[] = [];
  for (const [alo, ahi] of normalize(a))
    for (const [blo, bhi] of normalize(b)) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) out.push([lo, hi]);
    }
  return out;
}

function escapeCodePoint(cp: number): string {
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
}

function charClass(ranges: Range[]): string {
  return `[${ranges.map(([lo, hi]) => (lo === hi ? escapeCodePoint(lo) : `${escapeCodePoint(lo)}-${escapeCodePoint(hi)}`)).join('')}]`;
}

/** A character as it is written inside a JSON string, as a GBNF literal. */
function jsonCharLiteral(cp: number): string {
  const json = JSON.stringify(String.fromCodePoint(cp)).slice(1, -1);
  return `"${[...json].map((c) => escapeCodePoint(c.codePointAt(0)!)).join('')}"`;
}

/** Characters outside JSON_SAFE can be written only escaped: a class keeps the escapes of `"` and `\`. */
function classToGbnf(ranges: Range[]): string | undefined {
  const safe = normalize(intersect(ranges, JSON_SAFE));
  const escaped = [0x22, 0x5c].filter((cp) => ranges.some(([lo, hi]) => lo <= cp && cp <= hi));
  const parts = [...(safe.length > 0 ? [charClass(safe)] : []), ...escaped.map(jsonCharLiteral)];
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `(${parts.join(' | ')})`;
}

export class UnsupportedPatternError extends Error {}

class PatternParser {
  #at = 0;
  constructor(
    readonly source: string,
    readonly maxRepeat: number,
  ) {}

  parse(): string {
    let body = this.source;
    const anchoredStart = body.startsWith('^');
    const anchoredEnd = body.endsWith('$') && !body.endsWith('\\$');
    const inner = new PatternParser(
      body.slice(anchoredStart ? 1 : 0, anchoredEnd ? -1 : undefined),
      this.maxRepeat,
    );
    body = inner.#alternation();
    if (inner.#at < inner.source.length)
      throw new UnsupportedPatternError(`unexpected "${inner.source[inner.#at]}" at ${inner.#at}`);
    // JSON Schema patterns are unanchored: free text may come before and after the match.
    const free = `${classToGbnf(JSON_SAFE)}{0,${this.maxRepeat}}`;
    return [anchoredStart ? '' : free, `(${body})`, anchoredEnd ? '' : free].filter(Boolean).join(' ');
  }

  #peek(): string | undefined {
    return this.source[this.#at];
  }

  #alternation(): string {
    const options = [this.#sequence()];
    while (this.#peek() === '|') {
      this.#at++;
      options.push(this.#sequence());
    }
    return options.length === 1 ? options[0]! : options.map((o) => `(${o})`).join(' | ');
  }

  #sequence(): string {
    const items: string[] = [];
    while (this.#at < this.source.length && this.#peek() !== '|' && this.#peek() !== ')') {
      const atom = this.#atom();
      items.push(this.#quantified(atom));
    }
    return items.length === 0 ? '""' : items.join(' ');
  }

  #quantified(atom: string): string {
    const c = this.#peek();
    let min: number;
    let max: number | undefined;
    if (c === '*' || c === '+' || c === '?') {
      this.#at++;
      [min, max] = c === '*' ? [0, undefined] : c === '+' ? [1, undefined] : [0, 1];
    } else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.#at));
      if (!match) return atom;
      this.#at += match[0].length;
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? undefined : Number(match[3]);
    } else {
      return atom;
    }
    if (this.#peek() === '?' || this.#peek() === '+') this.#at++; // lazy / possessive: same language
    const upper = max ?? Math.max(min, this.maxRepeat);
    return `(${atom}){${min},${upper}}`;
  }

  #atom(): string {
    const c = this.#peek()!;
    this.#at++;
    if (c === '(') {
      if (this.source.startsWith('?:', this.#at)) this.#at += 2;
      else if (this.#peek() === '?')
        throw new UnsupportedPatternError('lookarounds and named groups are not supported');
      const inner = this.#alternation();
      if (this.#peek() !== ')') throw new UnsupportedPatternError('unclosed group');
      this.#at++;
      return `(${inner})`;
    }
    if (c === '[') return this.#required(classToGbnf(this.#classRanges()));
    if (c === '.')
      return this.#required(
        classToGbnf(
          complement([
            [0x0a, 0x0a],
            [0x0d, 0x0d],
          ]),
        ),
      );
    if (c === '\\') {
      const ranges = this.#escape(false);
      return this.#required(classToGbnf(ranges));
    }
    if (c === '^' || c === '$')
      throw new UnsupportedPatternError('anchors inside a pattern are not supported');
    if (c === ')' || c === '*' || c === '+' || c === '?' || c === '{')
      throw new UnsupportedPatternError(`unexpected "${c}"`);
    const cp = c.codePointAt(0)!;
    if (cp > 0xffff) this.#at++; // the low surrogate
    return this.#required(classToGbnf([[cp, cp]]));
  }

  #required(gbnf: string | undefined): string {
    if (gbnf === undefined) throw new UnsupportedPatternError('a character class no JSON string can hold');
    return gbnf;
  }

  /** After `\`: a class escape or one escaped character, as ranges. */
  #escape(inClass: boolean): Range[] {
    const c = this.#peek();
    if (c === undefined) throw new UnsupportedPatternError('trailing backslash');
    this.#at++;
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement([
          [0x09, 0x0d],
          [0x20, 0x20],
        ]);
      case 'n':
        return [[0x0a, 0x0a]];
      case 't':
        return [[0x09, 0x09]];
      case 'r':
        return [[0x0d, 0x0d]];
      case 'u': {
        const hex = /^[0-9a-fA-F]{4}/.exec(this.source.slice(this.#at));
        if (!hex) throw new UnsupportedPatternError('\\u needs four hex digits');
        this.#at += 4;
        const cp = Number.parseInt(hex[0], 16);
        return [[cp, cp]];
      }
      case 'x': {
        const hex = /^[0-9a-fA-F]{2}/.exec(this.source.slice(this.#at));
        if (!hex) throw new UnsupportedPatternError('\\x needs two hex digits');
        this.#at += 2;
        const cp = Number.parseInt(hex[0], 16);
        return [[cp, cp]];
      }
      default:
        if (/[0-9]/.test(c) && !inClass)
          throw new UnsupportedPatternError('back-references are not supported');
        if (/[a-zA-Z]/.test(c)) throw new UnsupportedPatternError(`the escape \\${c} is not supported`);
        return [[c.codePointAt(0)!, c.codePointAt(0)!]];
    }
  }

  /** After `[`: the class's ranges, up to and including `]`. */
  #classRanges(): Range[] {
    let negated = false;
    if (this.#peek() === '^') {
      negated = true;
      this.#at++;
    }
    const ranges: Range[] = [];
    let first = true;
    while (this.#peek() !== ']' || first) {
      first = false;
      const c = this.#peek();
      if (c === undefined) throw new UnsupportedPatternError('unclosed character class');
      this.#at++;
      let lo: Range[];
      if (c === '\\') lo = this.#escape(true);
      else {
        const cp = c.codePointAt(0)!;
        if (cp > 0xffff) this.#at++;
        lo = [[cp, cp]];
      }
      // A range a-b (a single character before `-`, and `-` not closing the class).
      if (
        this.#peek() === '-' &&
        this.source[this.#at + 1] !== ']' &&
        lo.length === 1 &&
        lo[0]![0] === lo[0]![1]
      ) {
        this.#at++;
        const d = this.#peek()!;
        this.#at++;
        const hiRanges: Range[] = d === '\\' ? this.#escape(true) : [[d.codePointAt(0)!, d.codePointAt(0)!]];
        if (d.codePointAt(0)! > 0xffff) this.#at++;
        if (hiRanges.length !== 1 || hiRanges[0]![0] !== hiRanges[0]![1])
          throw new UnsupportedPatternError('a class escape cannot end a range');
        ranges.push([lo[0]![0], hiRanges[0]![0]]);
      } else {
        ranges.push(...lo);
      }
    }
    this.#at++;
    return negated ? complement(ranges) : ranges;
  }
}

/**
 * GBNF for the characters of a JSON string (between the quotes) that match `pattern`, or
 * `undefined` when the pattern uses what this subset lacks (lookarounds, back-references, anchors
 * inside the pattern, Unicode property escapes). Supported: literals, escapes (`\d \w \s \D \W \S
 * \n \t \r \xHH \uHHHH` and escaped punctuation), classes with ranges and negation, `.`, groups,
 * alternation, `* + ? {n} {n,} {n,m}` (unbounded ones capped at `maxRepeat`).
 */
export function patternToGbnf(pattern: string, maxRepeat = 32): string | undefined {
  try {
    return new PatternParser(pattern, maxRepeat).parse();
  } catch (error) {
    if (error instanceof UnsupportedPatternError) return undefined;
    throw error;
  }
}

/** Ranges [start, stop] of equal digit counts whose union is [min, max] (0 <= min <= max). */
function splitRange(min: number, max: number): [number, number][] {
  const stops = new Set<number>([max]);
  const nines = (len: number) => Number(String(min).slice(0, -len) + '9'.repeat(len));
  for (let len = 1, stop = nines(1); min <= stop && stop <= max; stop = nines(++len)) stops.add(stop);
  const zeros = (len: number) => max + 1 - ((max + 1) % 10 ** len) - 1;
  for (let len = 1, stop = zeros(1); min < stop && stop <= max; stop = zeros(++len)) stops.add(stop);
  const sorted = [...stops].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let start = min;
  for (const stop of sorted) {
    out.push([start, stop]);
    start = stop + 1;
  }
  return out;
}

function digitsPattern(start: number, stop: number): string {
  const a = String(start);
  const b = String(stop);
  const parts: string[] = [];
  let free = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) parts.push(`"${a[i]}"`);
    else if (a[i] === '0' && b[i] === '9') free++;
    else parts.push(`[${a[i]}-${b[i]}]`);
  }
  if (free > 0) parts.push(free === 1 ? '[0-9]' : `[0-9]{${free}}`);
  return parts.join(' ');
}

/** GBNF for the decimal integers in [min, max] (safe integers, min <= max), no leading zeros. */
export function integerRangeToGbnf(min: number, max: number): string {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max)
    throw new RangeError(`integer range [${min}, ${max}] needs safe integers with min <= max`);
  const options: string[] = [];
  if (min < 0) {
    const negatives = splitRange(Math.max(1, -Math.min(max, -1)), -min);
    options.push(...negatives.map(([s, e]) => `"-" ${digitsPattern(s, e)}`));
  }
  if (max >= 0) options.push(...splitRange(Math.max(0, min), max).map(([s, e]) => digitsPattern(s, e)));
  return options.length === 1 ? options[0]! : `(${options.map((o) => `(${o})`).join(' | ')})`;
}

/**
 * GBNF for a JSON string value (quotes included) of `minLength` to `maxLength` characters: any
 * character a JSON string holds unescaped (JSON_SAFE) or a JSON escape (`\"`, `\\`, `\n`,
 * `\u00e9`...), one escape counting as one character.
 */
export function jsonStringToGbnf(minLength: number, maxLength: number): string {
  const char = `(${charClass(JSON_SAFE)} | "\\\\" ([\\"\\\\/bfnrt] | "u" [0-9a-fA-F]{4}))`;
  return `"\\"" ${char}{${minLength},${Math.max(minLength, maxLength)}} "\\""`;
}
