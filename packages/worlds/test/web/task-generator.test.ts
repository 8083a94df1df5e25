/** The web task generator without a browser: families, determinism, splits, and that the knowledge
 * the experience families need is not written in their goals. */
import {
  confirmLabelOf,
  createWebTaskGenerator,
  KNOWN_SITES,
  siteVariantByKey,
  WebWorldError,
} from '@chimera/worlds/web';
import { describe, expect, it } from 'vitest';

const generator = createWebTaskGenerator();

describe('web task generator', () => {
  it('lists eight families, three of which need experience', () => {
    const families = generator.families();
    expect(families.map((f) => f.family)).toEqual([
      'navigation',
      'search-extract',
      'form-filling',
      'checkout',
      'multi-tab',
      'site-conventions',
      'procedures',
      'distractors',
    ]);
    expect(families.filter((f) => f.needsExperience).map((f) => f.family)).toEqual([
      'site-conventions',
      'procedures',
      'distractors',
    ]);
  });

  it('generates seeded, reproducible tasks with a goal, a budget and parameters', () => {
    // #region generate-task
    const generator = createWebTaskGenerator();
    const task = generator.generate({ family: 'checkout', difficulty: 1, seed: 42, split: 'train' });
    // task.goal: 'Buy one "<product>". Ship to "<name>", "<street>", "<city>", <country>; email "<email>".'
    // task.params: { site: 'shop-<n>', catalogSeed, startPath: '/product/p<k>', setup, expected }
    // #endregion
    expect(task.goal).toMatch(/^Buy one ".+"\. Ship to ".+", ".+", ".+", \w+; email ".+@example\.org"\.$/);
    expect(task.maxSteps).toBe(12);
    expect(task.params.site).toMatch(/^shop-\d+$/);
    expect(task.params.startPath).toMatch(/^\/product\/p\d+$/);
    expect(generator.generate({ family: 'checkout', difficulty: 1, seed: 42, split: 'train' })).toEqual(task);
  });

  it('gives every task a unique id and JSON-serializable parameters', () => {
    const ids = new Set<string>();
    for (const family of generator.families()) {
      for (const difficulty of family.difficulties) {
        for (const split of ['train', 'heldout'] as const) {
          const task = generator.generate({ family: family.family, difficulty, seed: 5, split });
          expect(JSON.parse(JSON.stringify(task))).toEqual(task);
          expect(task.environment).toBe('web');
          expect(task.tags).toContain(`site:${task.params.site}`);
          ids.add(task.id);
        }
      }
    }
    expect(ids.size).toBe(40);
  });

  it('puts held-out tasks of plain families on sites and catalogs never used in training', () => {
    const trainSites = new Set<string>();
    const heldoutSites = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      trainSites.add(
        generator.generate({ family: 'navigation', difficulty: 0, seed, split: 'train' }).params.site,
      );
      heldoutSites.add(
        generator.generate({ family: 'navigation', difficulty: 0, seed, split: 'heldout' }).params.site,
      );
    }
    expect([...heldoutSites].filter((s) => trainSites.has(s))).toEqual([]);
    expect(trainSites.size).toBeGreaterThan(40);
  });

  it('keeps the brands of experience families in both splits (the knowledge is per brand), with new catalogs', () => {
    const brands = (split: 'train' | 'heldout') =>
      new Set(
        Array.from(
          { length: 40 },
          (_, seed) =>
            generator.generate({ family: 'site-conventions', difficulty: 0, seed, split }).params.site,
        ),
      );
    expect([...brands('train')].sort()).toEqual(KNOWN_SITES.map((s) => s.key).sort());
    expect([...brands('heldout')].sort()).toEqual(KNOWN_SITES.map((s) => s.key).sort());
    const train = generator.generate({ family: 'site-conventions', difficulty: 0, seed: 1, split: 'train' });
    const heldout = generator.generate({
      family: 'site-conventions',
      difficulty: 0,
      seed: 1,
      split: 'heldout',
    });
    expect(train.params.catalogSeed).not.toBe(heldout.params.catalogSeed);
  });

  it('does not state the needed knowledge in the goals of the experience families', () => {
    const labels = new Set(
      KNOWN_SITES.flatMap((s) => s.conventions.checkoutButtons.map((b) => b.label.toLowerCase())),
    );
    const cartWords = new Set(
      KNOWN_SITES.flatMap((s) => [s.conventions.cartLabel, ...s.conventions.cartDecoys]).map((w) =>
        w.toLowerCase(),
      ),
    );
    for (let seed = 0; seed < 30; seed++) {
      for (const family of ['site-conventions', 'procedures']) {
        for (const difficulty of [0, 1]) {
          const task = generator.generate({ family, difficulty, seed, split: 'train' });
          const words = new Set(task.goal.toLowerCase().split(/[^a-z]+/));
          expect(
            [...labels].filter((l) => words.has(l)),
            task.goal,
          ).toEqual([]);
          expect(
            [...cartWords].filter((l) => words.has(l)),
            task.goal,
          ).toEqual([]);
          expect(task.goal).not.toMatch(/sign|log in|terms|conditions|verify|agree|accept/i);
          expect(task.needsExperience).toBe(true);
        }
      }
    }
  });

  it('uses the same ambiguous words for different effects across brands', () => {
    const meaning = new Map<string, Set<string>>();
    for (const site of KNOWN_SITES) {
      for (const button of site.conventions.checkoutButtons) {
        if (!meaning.has(button.label)) meaning.set(button.label, new Set());
        meaning.get(button.label)?.add(button.effect);
      }
    }
    // Every confirm label also means something else on another brand.
    for (const site of KNOWN_SITES) {
      expect(meaning.get(confirmLabelOf(site))?.size, site.key).toBeGreaterThan(1);
    }
  });

  it('words distractor goals so that a wrong option overlaps them', () => {
    const near = generator.generate({ family: 'distractors', difficulty: 0, seed: 9, split: 'train' });
    const named = near.goal.match(/not the "(.+)"/)?.[1] as string;
    const base = near.goal.match(/standard "(.+?)"/)?.[1] as string;
    expect(named.startsWith(base)).toBe(true);
    const negated = generator.generate({ family: 'distractors', difficulty: 1, seed: 9, split: 'train' });
    expect(negated.goal).toMatch(/but not the (red|blue|green|black|white) one\.$/);
  });

  it('resolves generated site keys to stable variants and rejects unknown ones', () => {
    expect(siteVariantByKey('shop-12')).toEqual(siteVariantByKey('shop-12'));
    expect(siteVariantByKey('shop-12')?.kind).toBe('generated');
    expect(siteVariantByKey('nowhere')).toBeUndefined();
  });

  it('explains bad options', () => {
    expect(() => generator.generate({ family: 'flying', difficulty: 0, seed: 1, split: 'train' })).toThrow(
      /unknown web task family "flying"/,
    );
    expect(() => generator.generate({ family: 'multi-tab', difficulty: 2, seed: 1, split: 'train' })).toThrow(
      /has no difficulty 2/,
    );
    expect(() =>
      generator.generate({ family: 'multi-tab', difficulty: 0, seed: -1, split: 'train' }),
    ).toThrow(WebWorldError);
  });
});
