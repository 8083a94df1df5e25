/**
 * chimera-nano's tokenizer: no vocabulary, nothing to download. Text is split into lowercased
 * words; each word, its character trigrams (with word-boundary marks) and, for words in the scope
 * of a negation ("not the red one"), a separate negated token are hashed (FNV-1a) into buckets.
 * The same text always gives the same buckets on every machine.
 */

/** Negators open a scope; the next few content words in it are marked as negated. */
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'without',
  'except',
  'avoid',
  'dont',
  'doesnt',
  'isnt',
  'nor',
  'nicht',
  'kein',
  'keine',
  'ohne',
]);
/** Words skipped (neither negated nor closing the scope) inside a negation scope. */
const SCOPE_FILLERS = new Set([
  'the',
  'a',
  'an',
  'one',
  'that',
  'which',
  'is',
  'are',
  'any',
  'to',
  'of',
  'it',
  'use',
  'pick',
  'choose',
  'click',
  'select',
]);
/** How many content words a negation covers. */
const NEGATION_SCOPE = 2;

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?|[.,;:!?()"]/gu;
const CLAUSE_END = /^[.,;:!?()"]$/;

/**
 * Function words: they carry no choice between candidates, yet a goal's "the" matching the only
 * candidate that happens to contain "the" looked like perfect lexical coverage. The lexical
 * features skip them (the hashed embeddings keep every word).
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'in',
  'on',
  'at',
  'by',
  'for',
  'from',
  'with',
  'into',
  'onto',
  'as',
  'and',
  'or',
  'but',
  'is',
  'are',
  'was',
  'be',
  'it',
  'its',
  'this',
  'that',
  'these',
  'those',
  'i',
  'me',
  'my',
  'we',
  'our',
  'you',
  'your',
  'yours',
  'he',
  'she',
  'they',
  'them',
  'their',
  'all',
  'any',
  'some',
  'so',
  'if',
  'then',
  'than',
  'do',
  'does',
  'will',
  'can',
  'please',
]);

/** Element refs such as `e12` differ from page to page and carry no meaning for the policy. */
const DEFAULT_IGNORE = /^e\d+$/;

export interface WordToken {
  /** Lowercased word, apostrophes removed (`don't` -> `dont`). */
  word: string;
  /** True when the word is in the scope of a negation. */
  negated: boolean;
}

/** Splits text into lowercased words and marks the words a negation applies to. */
export function wordTokens(text: string, ignore: RegExp = DEFAULT_IGNORE): WordToken[] {
  const out: WordToken[] = [];
  let scope = 0;
  // A negation followed by a quotation covers the whole quoted name: `not the "Lotus Grinder Pro"`.
  let quoted = false;
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const raw = match[0];
    if (raw === '"' && (quoted || scope > 0)) {
      quoted = !quoted;
      scope = 0;
      continue;
    }
    if (quoted) {
      const word = raw.replace(/['’]/g, '');
      if (!CLAUSE_END.test(raw) && !ignore.test(word)) out.push({ word, negated: true });
      continue;
    }
    if (CLAUSE_END.test(raw)) {
      scope = 0;
      continue;
    }
    const word = raw.replace(/['’]/g, '');
    if (ignore.test(word)) continue;
    if (NEGATORS.has(word)) {
      scope = NEGATION_SCOPE;
      continue;
    }
    if (scope > 0 && SCOPE_FILLERS.has(word)) {
      out.push({ word, negated: false });
      continue;
    }
    out.push({ word, negated: scope > 0 });
    if (scope > 0) scope--;
  }
  return out;
}

/** 32-bit FNV-1a of a string (UTF-16 code units), offset by a namespace so token kinds don't collide. */
export function fnv1a(text: string, namespace = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(namespace, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const NS_WORD = 1;
const NS_TRIGRAM = 2;
const NS_NEGATED = 3;

export interface HashedTokens {
  /** Bucket of each feature, in 0..buckets-1 (repeats allowed: weights add up in pooling). */
  ids: Int32Array;
  /** Weight of each feature: 1 per word or negated word, trigrams sharing `trigramWeight` per word. */
  weights: Float32Array;
}

export interface HashTokenizeOptions {
  /** Total weight of a word's trigrams (words shorter than 4 letters have none). Default 0.5. */
  trigramWeight?: number;
  /** Tokens to drop, default element refs (`e12`). */
  ignore?: RegExp;
}

/** Hashes a text into bucketed features: words, character trigrams and negated words. Deterministic. */
export function hashTokenize(text: string, buckets: number, options: HashTokenizeOptions = {}): HashedTokens {
  if (!Number.isInteger(buckets) || buckets < 2) {
    throw new RangeError(`hashTokenize: buckets must be an integer >= 2, got ${buckets}`);
  }
  const trigramWeight = options.trigramWeight ?? 0.5;
  const ids: number[] = [];
  const weights: number[] = [];
  for (const { word, negated } of wordTokens(text, options.ignore)) {
    ids.push(fnv1a(word, NS_WORD) % buckets);
    weights.push(1);
    if (negated) {
      ids.push(fnv1a(word, NS_NEGATED) % buckets);
      weights.push(1);
    }
    if (word.length >= 4 && trigramWeight > 0) {
      const marked = `#${word}#`;
      const count = marked.length - 2;
      for (let i = 0; i < count; i++) {
        ids.push(fnv1a(marked.slice(i, i + 3), NS_TRIGRAM) % buckets);
        weights.push(trigramWeight / count);
      }
    }
  }
  return { ids: Int32Array.from(ids), weights: Float32Array.from(weights) };
}
