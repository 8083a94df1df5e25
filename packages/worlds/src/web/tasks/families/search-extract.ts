/**
 * Search and extract: read a fact and give it with the answer tool: a cell of the sales table, a
 * product's price (search, open, read), or the pickup code buried in the noisy Deals page.
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import { formatPrice } from '../../site/catalog';
import { formatNumber, QUARTERS, REGIONS, salesTable } from '../../site/info-pages';
import { noisyPageFacts } from '../../site/noisy-page';
import type { PageContext } from '../../site/page-context';
import {
  answersMatch,
  baseTask,
  catalogOf,
  catalogSeedOf,
  plainSite,
  rngFor,
  type VerdictInput,
  type WebTaskFamily,
} from '../web-task';

export function answerVerdict(input: VerdictInput): EpisodeVerdict {
  const expected = String((input.task.params.expected as { answer: string }).answer);
  if (input.answer === undefined) return { success: false, score: 0, detail: 'no answer given' };
  return answersMatch(input.answer, expected)
    ? { success: true, score: 1, detail: `answered ${input.answer}` }
    : { success: false, score: 0, detail: `answered "${input.answer}", expected "${expected}"` };
}

export const searchExtractFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'search-extract',
    description:
      'Find a fact on the site (a table cell, a product price, a code on a noisy page) and answer with it.',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['navigation', 'extraction'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('search-extract', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    if (difficulty === 0) {
      const r = rng.int(0, REGIONS.length - 1);
      const q = rng.int(0, QUARTERS.length - 1);
      const value = salesTable(site.key, catalogSeed)[r]?.[q] ?? 0;
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/reports',
        maxSteps: 3,
        goal: `In the "Sales by region" report, what was the ${QUARTERS[q]} revenue of the ${REGIONS[r]} region? Answer with the number.`,
        expected: { answer: formatNumber(value) },
        tags: ['tables'],
      });
    }
    if (difficulty === 1) {
      const product = rng.pick(catalog.products.slice(0, 20));
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/',
        maxSteps: 6,
        goal: `What is the price of "${product.name}"? Answer with the price.`,
        expected: { answer: formatPrice(product.priceCents) },
        tags: ['search'],
      });
    }
    const facts = noisyPageFacts({ site, catalog, state: { catalogSeed } } as PageContext);
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: '/',
      maxSteps: 5,
      goal: "Find this week's pickup code on the Deals page and answer with it.",
      expected: { answer: facts.pickupCode },
      tags: ['noisy-page'],
    });
  },
  verdict: answerVerdict,
  terminal: (input) => input.answer !== undefined,
};
