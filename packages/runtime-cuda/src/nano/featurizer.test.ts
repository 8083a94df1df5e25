import { describe, expect, it } from 'vitest';
import { createBaseWeights } from './base-weights';
import { NanoFeaturizer } from './featurizer';
import { NANO_LEXICAL_FEATURES, resolveNanoConfig } from './nano-config';

const config = resolveNanoConfig({ dim: 16, buckets: 512, cacheSize: 3 });
const featurizer = () => new NanoFeaturizer(config, createBaseWeights(config, 1));
const F = NANO_LEXICAL_FEATURES.length;

describe('NanoFeaturizer', () => {
  it('computes the lexical features with an idf over the group', () => {
    const prepared = featurizer().prepare([
      {
        context: {
          goal: 'Pick the hat that is not red',
          history: 'click e1 button "blue hat"',
          self: 'shopper',
        },
        candidates: [
          'click e2 button "red hat"',
          'click e3 button "blue hat"',
          'click e4 button "green hat"',
        ],
      },
    ]);
    const row = (c: number) => Array.from(prepared.lexical.slice(c * F, (c + 1) * F));
    // "click", "button", "hat" are in every candidate: near-zero idf. "red" is the only discriminative goal word.
    const [red, blue, green] = [row(0), row(1), row(2)];
    expect(red[0]).toBeCloseTo(1, 5); // covers all of the goal's discriminative mass
    expect(red[1]).toBeGreaterThan(0.8); // and is mostly made of goal words
    expect(red[2]).toBeCloseTo(1, 5); // ...which the goal negates
    expect(blue[0]).toBeLessThan(0.15); // only "hat", which every candidate has
    expect(blue[3]).toBeGreaterThan(0.8); // already in the history
    expect(green[0]).toBeLessThan(0.15);
    expect(green[2]).toBe(0);
    expect(green[3]).toBeLessThan(blue[3]! / 2); // shares only the common words with the history
    expect(Array.from(prepared.candidateGroup)).toEqual([0n, 0n, 0n]);
    expect(prepared.counts[0]).toBe(3);
  });

  it('gives unit-norm pooled vectors and caches texts with LRU eviction', () => {
    const f = featurizer();
    const a = f.text('alpha beta');
    const norm = Math.hypot(...Array.from(a.pooled));
    expect(norm).toBeCloseTo(1, 5);
    expect(f.text('alpha beta')).toBe(a);
    f.text('one');
    f.text('two');
    f.text('alpha beta'); // refresh: now most recent
    f.text('three'); // evicts "one", the oldest
    expect(f.cacheEntries).toBe(3);
    expect(f.text('alpha beta')).toBe(a);
    expect(Math.hypot(...Array.from(f.text('').pooled))).toBe(0);
  });

  it('gives no lexical credit for function words ("the" is not a match)', () => {
    const prepared = featurizer().prepare([
      {
        context: { goal: 'Complete the purchase of the items you selected.' },
        candidates: ['uncheck e1 checkbox "I agree to the store terms"', 'click e2 button "Done"'],
      },
    ]);
    expect(Array.from(prepared.lexical.slice(0, F)).slice(0, 2)).toEqual([0, 0]);
  });
});
