import { describe, expect, it } from 'vitest';
import { countTokens, truncateToTokens, withinTokenLimit } from '../index';

describe('countTokens (o200k)', () => {
  it('counts with the real tokenizer', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    // Short ids are cheap, Playwright-style frame refs are not (see platform notes).
    expect(countTokens('[16]')).toBeLessThan(countTokens('[ref=f13e16]'));
  });

  it('treats special-token text from web pages as plain text', () => {
    expect(countTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('stops early at a limit and truncates by tokens', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(200);
    expect(withinTokenLimit(text, 10)).toBe(false);
    expect(withinTokenLimit('hello world', 10)).toBe(2);
    const cut = truncateToTokens(text, 20);
    expect(cut.endsWith('…')).toBe(true);
    expect(countTokens(cut)).toBeLessThanOrEqual(21);
  });
});
