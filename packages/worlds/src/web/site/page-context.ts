/**
 * What every page renderer receives: the site variant, the episode's catalog and state, and
 * the request's query. Renderers are pure functions of this context.
 */
import type { Catalog } from './catalog';
import type { EpisodeState } from './episode-state';
import type { SiteVariant } from './site-variant';

export interface PageContext {
  site: SiteVariant;
  catalog: Catalog;
  state: EpisodeState;
  /** Path inside the site, e.g. `/checkout`. */
  path: string;
  query: URLSearchParams;
}

/** A link inside the current site. */
export function siteUrl(ctx: { site: SiteVariant }, path: string): string {
  return `/${ctx.site.key}${path}`;
}
