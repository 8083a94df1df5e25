/**
 * Distractors (needs experience): the goal's words overlap a wrong option more than the right
 * one. "Add the standard Cobalt Lantern, not the Cobalt Lantern Mini": the Mini's button shares
 * every word of the goal. "...not the red one": the red one's button is the only one saying red.
 * A policy that matches words picks the distractor; one that learned what "not" and "standard"
 * mean picks the right one. Adding any look-alike ends the episode.
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import { capitalize } from '../../site/catalog';
import {
  baseTask,
  catalogOf,
  catalogSeedOf,
  plainSite,
  rngFor,
  type VerdictInput,
  type WebTaskFamily,
} from '../web-task';

function verdict(input: VerdictInput): EpisodeVerdict {
  const expected = input.task.params.expected as { productId: string; distractorIds: string[] };
  const cart = input.state.carts.get(input.task.params.site) ?? [];
  const right = cart.some((l) => l.productId === expected.productId);
  const wrong = cart.filter((l) => expected.distractorIds.includes(l.productId));
  if (right && wrong.length === 0)
    return { success: true, score: 1, detail: 'the right item is in the cart' };
  if (wrong.length > 0) return { success: false, score: 0, detail: 'a look-alike item was added' };
  return { success: false, score: 0, detail: 'nothing was added' };
}

export const distractorsFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'distractors',
    description:
      'Add the right item when look-alikes overlap the goal wording more: near-duplicate names, negated colours.',
    difficulties: [0, 1],
    needsExperience: true,
    skills: ['reading', 'site-knowledge'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('distractors', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const idOf = (name: string) => catalog.products.find((p) => p.name === name)?.id as string;
    if (difficulty === 0) {
      const { base, variants } = catalog.nearDuplicates;
      const named = rng.pick(variants);
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: `/search?q=${encodeURIComponent(base)}`,
        maxSteps: 3,
        goal: `Add the standard "${base}" to your cart, not the "${named}".`,
        expected: { productId: idOf(base), distractorIds: variants.map(idOf) },
        tags: ['near-duplicates'],
      });
    }
    const { base, colors } = catalog.colorFamily;
    const wrongIndex = rng.int(0, 1);
    const wrongColor = colors[wrongIndex] as string;
    const rightColor = colors[1 - wrongIndex] as string;
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: `/search?q=${encodeURIComponent(base)}`,
      maxSteps: 3,
      goal: `Add the "${base}" to your cart, but not the ${wrongColor} one.`,
      expected: {
        productId: idOf(`${base} - ${capitalize(rightColor)}`),
        distractorIds: [idOf(`${base} - ${capitalize(wrongColor)}`)],
      },
      tags: ['negation'],
    });
  },
  verdict,
  terminal: (input) => input.state.events.some((e) => e.kind === 'cart-add'),
};
