/**
 * Token counts with a real tokenizer (o200k, the GPT-4o/GPT-5/gpt-oss vocabulary) rather than a
 * characters-per-token guess. The vocabulary (several MB) is loaded on first use, so importing the
 * toolbelt for dispatch alone does not pay for it.
 */
import { createRequire } from 'node:module';

interface O200k {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  isWithinTokenLimit(
    text: string,
    limit: number,
    options?: { disallowedSpecial?: Set<string> },
  ): false | number;
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(tokens: number[]): string;
}

let tokenizer: O200k | undefined;
// Text from web pages may contain `<|endoftext|>` and the like: count it as plain text, never throw.
const plainText = { disallowedSpecial: new Set<string>() };

function o200k(): O200k {
  tokenizer ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as O200k;
  return tokenizer;
}

/** Number of o200k tokens in `text`. */
export function countTokens(text: string): number {
  return o200k().countTokens(text, plainText);
}

/** The token count when it is at most `limit`, else false (stops encoding early on long text). */
export function withinTokenLimit(text: string, limit: number): number | false {
  return o200k().isWithinTokenLimit(text, limit, plainText);
}

/** The longest prefix of `text` with at most `maxTokens` tokens, with `…` appended when cut. */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (withinTokenLimit(text, maxTokens) !== false) return text;
  const tokens = o200k().encode(text, plainText);
  return `${o200k().decode(tokens.slice(0, Math.max(0, maxTokens - 1)))}…`;
}
