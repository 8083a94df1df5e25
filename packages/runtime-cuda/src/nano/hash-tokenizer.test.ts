import { describe, expect, it } from 'vitest';
import { fnv1a, hashTokenize, wordTokens } from './hash-tokenizer';

describe('hashTokenize', () => {
  it('is deterministic and stays within the buckets', () => {
    const a = hashTokenize('Click the "Place order" button', 8192);
    const b = hashTokenize('click the place ORDER button', 8192);
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    for (const id of a.ids) expect(id >= 0 && id < 8192).toBe(true);
    // Pinned hash values: a change here changes every trained adapter's meaning.
    expect(fnv1a('order', 1)).toBe(fnv1a('order', 1));
    expect(fnv1a('order', 1)).not.toBe(fnv1a('order', 2));
    expect(fnv1a('')).toBe(0x811c9dc5);
  });

  it('adds trigrams for words of 4+ letters, sharing trigramWeight per word', () => {
    const t = hashTokenize('cat order', 1 << 20);
    // cat: 1 word; order: 1 word + 5 trigrams (#or ord rde der er#)
    expect(t.ids.length).toBe(1 + 1 + 5);
    const trigramSum = Array.from(t.weights.slice(2)).reduce((a, b) => a + b, 0);
    expect(trigramSum).toBeCloseTo(0.5, 6);
    expect(hashTokenize('order', 64, { trigramWeight: 0 }).ids.length).toBe(1);
  });

  it('marks negated words, drops element refs and rejects bad bucket counts', () => {
    expect(wordTokens('Pick the hat that is not red, then the blue one').filter((t) => t.negated)).toEqual([
      { word: 'red', negated: true },
    ]);
    expect(
      wordTokens("don't use the green or yellow one")
        .filter((t) => t.negated)
        .map((t) => t.word),
    ).toEqual(['green', 'or']);
    expect(wordTokens('click e12 button').map((t) => t.word)).toEqual(['click', 'button']);
    // A negated word contributes its plain token and a separate negated one.
    expect(hashTokenize('not red', 1 << 20).ids.length).toBe(2);
    expect(() => hashTokenize('x', 1)).toThrow(/buckets/);
  });

  it('negates a whole quoted name after a negation, and only that name', () => {
    const tokens = wordTokens('Add the standard "Lotus Grinder" to your cart, not the "Lotus Grinder Pro".');
    expect(tokens.filter((t) => t.negated).map((t) => t.word)).toEqual(['lotus', 'grinder', 'pro']);
    // The first quotation is not negated (no negation before it).
    expect(tokens.filter((t) => !t.negated).map((t) => t.word)).toContain('standard');
    expect(wordTokens('"Red" but not "Blue Hat" and "Green"').filter((t) => t.negated)).toEqual([
      { word: 'blue', negated: true },
      { word: 'hat', negated: true },
    ]);
  });
});
