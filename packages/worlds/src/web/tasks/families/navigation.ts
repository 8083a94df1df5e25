/**
 * Navigation: reach a product page by links (featured on the home page, inside a category) or
 * through the site search. Verified from the server's visit log. Solvable from the goal text.
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import { categorySlug } from '../../site/catalog';
import {
  baseTask,
  catalogOf,
  catalogSeedOf,
  plainSite,
  rngFor,
  type VerdictInput,
  type WebTaskFamily,
} from '../web-task';

function visited(input: VerdictInput, path: string): boolean {
  const full = `/${input.task.params.site}${path}`;
  return input.state.events.some(
    (e) => e.kind === 'visit' && (e.path === full || e.path.startsWith(`${full}?`)),
  );
}

function verdict(input: VerdictInput): EpisodeVerdict {
  const expected = input.task.params.expected as {
    productPath: string;
    categoryPath?: string;
    searchQuery?: string;
  };
  if (visited(input, expected.productPath))
    return { success: true, score: 1, detail: `visited ${expected.productPath}` };
  if (expected.categoryPath && visited(input, expected.categoryPath)) {
    return { success: false, score: 0.3, detail: 'reached the category, not the product' };
  }
  if (expected.searchQuery) {
    const searched = input.state.events.some(
      (e) =>
        e.kind === 'visit' &&
        e.path.includes('/search?') &&
        decodeURIComponent(e.path.replace(/\+/g, ' '))
          .toLowerCase()
          .includes(String(expected.searchQuery).toLowerCase()),
    );
    if (searched) return { success: false, score: 0.5, detail: 'searched, did not open the product' };
  }
  return { success: false, score: 0, detail: 'product page not visited' };
}

export const navigationFamily: WebTaskFamily = {
  info: {
    environment: 'web',
    family: 'navigation',
    description: 'Reach a product page: from the home page, through a category, or with the site search.',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['navigation'],
  },
  generate(difficulty, seed, split) {
    const rng = rngFor('navigation', difficulty, seed, split);
    const site = plainSite(seed, split);
    const catalogSeed = catalogSeedOf(seed, split);
    const catalog = catalogOf({ params: { site: site.key, catalogSeed } as never });
    const ordinary = catalog.products.slice(0, 20);
    const featured = ordinary.filter((p) => catalog.featured.includes(p.id));
    const hidden = ordinary.filter((p) => !catalog.featured.includes(p.id));
    const product = difficulty === 0 ? rng.pick(featured) : rng.pick(hidden);
    const expected: Record<string, unknown> = {
      productPath: `/product/${product.id}`,
      productName: product.name,
    };
    let goal: string;
    let maxSteps: number;
    if (difficulty === 0) {
      goal = `Open the product page of "${product.name}".`;
      maxSteps = 4;
    } else if (difficulty === 1) {
      goal = `Open the product page of "${product.name}" (in the ${product.category} category).`;
      expected.categoryPath = `/category/${categorySlug(product.category)}`;
      maxSteps = 6;
    } else {
      goal = `Use the site search to find "${product.name}" and open its product page.`;
      expected.searchQuery = product.name;
      maxSteps = 6;
    }
    return baseTask(this.info, {
      difficulty,
      seed,
      split,
      goal,
      maxSteps,
      site,
      catalogSeed,
      startPath: '/',
      expected,
    });
  },
  verdict,
  terminal: (input) => verdict(input).success,
};
