/**
 * Site conventions (needs experience): finish a checkout on a known brand. The goal is the same
 * sentence on every brand; what differs is knowledge the goal never states: which of the
 * brand's ambiguous buttons (Proceed, Continue, Submit, Confirm, Done) places the order, and
 * (level 1) what the cart is called and where its link lives. The brand is in every page header,
 * so the mapping can be learned from experience. A wrong button first halves the score.
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

export const CONVENTIONS_GOAL = 'Complete the purchase of the items you selected.';

export const siteConventionsFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'site-conventions',
    description:
      'Finish a checkout on a known brand whose confirm button label (and, at level 1, cart name and place) is a brand convention the goal never states.',
    difficulties: [0, 1],
    needsExperience: true,
    skills: ['checkout', 'site-knowledge'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('site-conventions', difficulty, seed, split);
    const site = knownSite(seed);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const product = rng.pick(catalog.products.slice(0, 20));
    const who = person(rng);
    const profile = { ...who, country: rng.pick(COUNTRIES) };
    const lines = [{ productId: product.id, quantity: 1 }];
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: difficulty === 0 ? '/checkout' : '/',
      maxSteps: difficulty === 0 ? 3 : 6,
      goal: CONVENTIONS_GOAL,
      // Every prerequisite is already met: this family isolates the conventions.
      setup: {
        cart: { siteKey: site.key, lines },
        profile,
        presatisfied: ['sign-in', 'accept-terms', 'verify-address'],
      },
      expected: { lines, shipping: {}, firstTry: true },
      tags: [`brand:${site.key}`],
    });
  },
  verdict: orderVerdict,
  terminal: orderPlaced,
};
