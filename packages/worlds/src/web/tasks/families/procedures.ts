/**
 * Procedures (needs experience): each known brand checks, server-side, steps the goal never
 * mentions before it accepts an order: signing in, ticking its terms box, verifying the address;
 * and signing in reloads the form, so order matters. The store rejects an order that skips one
 * (the rejection says why, so the step can be discovered), and a rejection halves the score: only
 * an agent that learned the brand's procedure scores 1.
 */
import { COUNTRIES } from '../../site/checkout-pages';
import {
  baseTask,
  catalogOf,
  catalogSeedOf,
  knownSite,
  person,
  rngFor,
  type WebTaskFamily,
} from '../web-task';
import { orderPlaced, orderVerdict } from './order-verdict';

export const siteProceduresFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'procedures',
    description:
      'Check out on a known brand that silently requires steps first (sign in, accept terms, verify address); a rejected order halves the score.',
    difficulties: [0, 1],
    needsExperience: true,
    skills: ['checkout', 'forms', 'site-knowledge'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('procedures', difficulty, seed, split);
    const site = knownSite(seed);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const product = rng.pick(catalog.products.slice(0, 20));
    const who = person(rng);
    const country = rng.pick(COUNTRIES);
    const lines = [{ productId: product.id, quantity: 1 }];
    const steps = site.conventions.prerequisites.length;
    if (difficulty === 0) {
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/checkout',
        maxSteps: steps + 3,
        goal: 'Complete the purchase of the items you selected.',
        setup: { cart: { siteKey: site.key, lines }, profile: { ...who, country } },
        expected: { lines, shipping: {}, firstTry: true },
        tags: [`brand:${site.key}`],
      });
    }
    // Level 1: the saved profile lacks the city and country; the goal gives them.
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: '/checkout',
      maxSteps: steps + 5,
      goal: `Complete the purchase of the items you selected, shipping to "${who.city}", ${country}.`,
      setup: {
        cart: { siteKey: site.key, lines },
        profile: { name: who.name, email: who.email, address: who.address },
      },
      expected: { lines, shipping: { city: who.city, country }, firstTry: true },
      tags: [`brand:${site.key}`],
    });
  },
  verdict: orderVerdict,
  terminal: orderPlaced,
};
