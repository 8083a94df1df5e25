/**
 * Multi-tab: links that open new tabs. Read the size guide that opens in a new tab and answer, or
 * carry the warranty code from the new tab back into the registration form of the first tab.
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import {
  baseTask,
  catalogOf,
  catalogSeedOf,
  plainSite,
  rngFor,
  type VerdictInput,
  type WebTaskFamily,
} from '../web-task';
import { answerVerdict } from './search-extract';

function verdict(input: VerdictInput): EpisodeVerdict {
  if (input.task.difficulty === 0) return answerVerdict(input);
  const expected = input.task.params.expected as { productId: string; code: string };
  const registered = input.state.warrantyRegistrations.some(
    (r) => r.siteKey === input.task.params.site && r.productId === expected.productId,
  );
  if (registered) return { success: true, score: 1, detail: 'warranty registered' };
  const visitedWarranty = input.state.events.some(
    (e) => e.kind === 'visit' && e.path === `/${input.task.params.site}/warranty/${expected.productId}`,
  );
  return { success: false, score: visitedWarranty ? 0.2 : 0, detail: 'warranty not registered' };
}

export const multiTabFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'multi-tab',
    description:
      'Use links that open new tabs: read a size guide in a new tab, or carry a code from one tab to a form in another.',
    difficulties: [0, 1],
    needsExperience: false,
    skills: ['navigation', 'tabs', 'extraction'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('multi-tab', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const product = rng.pick(catalog.products.slice(0, 20));
    if (difficulty === 0) {
      const size = rng.pick(product.sizes);
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: `/product/${product.id}`,
        maxSteps: 4,
        goal: `Open the size guide of "${product.name}" and answer: what is the chest measurement in cm for size ${size.size}?`,
        expected: { answer: String(size.chestCm) },
      });
    }
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: `/product/${product.id}`,
      maxSteps: 8,
      goal: `Register the warranty of "${product.name}": the registration code is on its warranty details page, which opens in a new tab.`,
      expected: { productId: product.id, code: product.warrantyCode },
    });
  },
  verdict,
  terminal: (input) =>
    input.answer !== undefined ||
    input.state.warrantyRegistrations.some((r) => r.siteKey === input.task.params.site),
};
