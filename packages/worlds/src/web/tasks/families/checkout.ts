/**
 * Multi-step checkout on plain sites: from a filled cart, from a product page, or from the home
 * page with search and a quantity. Verified from the order the server stored.
 */
import { COUNTRIES } from '../../site/checkout-pages';
import {
  baseTask,
  catalogOf,
  catalogSeedOf,
  person,
  plainSite,
  rngFor,
  type WebTaskFamily,
} from '../web-task';
import { orderPlaced, orderVerdict } from './order-verdict';

export const checkoutFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'checkout',
    description:
      'Buy a product and fill in the shipping form: from a filled cart, a product page, or the home page.',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['navigation', 'forms', 'checkout'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('checkout', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const product = rng.pick(catalog.products.slice(0, 20));
    const who = person(rng);
    const country = rng.pick(COUNTRIES);
    const quantity = difficulty === 2 ? rng.int(2, 3) : 1;
    const shipTo = `Ship to "${who.name}", "${who.address}", "${who.city}", ${country}; email "${who.email}".`;
    const expected = {
      lines: [{ productId: product.id, quantity }],
      shipping: { name: who.name, email: who.email, address: who.address, city: who.city, country },
    };
    if (difficulty === 0) {
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: '/checkout',
        maxSteps: 9,
        setup: { cart: { siteKey: site.key, lines: [{ productId: product.id, quantity: 1 }] } },
        goal: `Check out the items in your cart. ${shipTo}`,
        expected,
      });
    }
    if (difficulty === 1) {
      return baseTask(this.info, {
        difficulty,
        seed,
        split,
        site,
        catalogSeed,
        startPath: `/product/${product.id}`,
        maxSteps: 12,
        goal: `Buy one "${product.name}". ${shipTo}`,
        expected,
      });
    }
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      site,
      catalogSeed,
      startPath: '/',
      maxSteps: 15,
      goal: `Buy ${quantity} of "${product.name}" (quantity ${quantity}). ${shipTo}`,
      expected,
    });
  },
  verdict: orderVerdict,
  terminal: orderPlaced,
};
