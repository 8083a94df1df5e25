/**
 * Shared shapes of the web task families: the parameters a web TaskSpec carries (site, catalog,
 * start page, server-side setup, expected outcome) and what a family provides (generation, the
 * reward function, when an episode is over).
 */
import type { EpisodeVerdict, TaskFamilyInfo, TaskSpec } from '@chimera/toolbelt';
import { generateCatalog } from '../site/catalog';
import type { EpisodeSetup, EpisodeState } from '../site/episode-state';
import { hashSeed, Rng } from '../site/rng';
import { generatedSiteKey, KNOWN_SITES, type SiteVariant, siteVariantByKey } from '../site/site-variant';

export interface WebTaskParams extends Record<string, unknown> {
  /** Site variant key (`northwind`, `shop-42`). */
  site: string;
  brand: string;
  catalogSeed: number;
  /** Path (inside the site) the first tab opens. */
  startPath: string;
  /** Server-side state the episode starts with. */
  setup: EpisodeSetup;
  /** Family-specific expected outcome, read by the reward function. */
  expected: Record<string, unknown>;
}

export interface WebTaskSpec extends TaskSpec {
  params: WebTaskParams;
}

/** What a family's reward function reads: server state plus the agent's answer, if any. */
export interface VerdictInput {
  task: WebTaskSpec;
  state: EpisodeState;
  answer: string | undefined;
}

export interface WebTaskFamily {
  info: TaskFamilyInfo;
  generate(difficulty: number, seed: number, split: 'train' | 'heldout'): WebTaskSpec;
  verdict(input: VerdictInput): EpisodeVerdict;
  /** The episode is over (solved, answered, or an irrecoverable mistake). */
  terminal(input: VerdictInput): boolean;
}

/** Generated (plain) sites: train and held-out draw from disjoint ranges, so held-out sites are unseen. */
export function plainSite(seed: number, split: 'train' | 'heldout'): SiteVariant {
  const n = 1 + (hashSeed('plain-site', seed) % 500) + (split === 'heldout' ? 500 : 0);
  return siteVariantByKey(generatedSiteKey(n)) as SiteVariant;
}

/** Known brands (fixed conventions): the same pool in both splits, since the knowledge is per brand. */
export function knownSite(seed: number): SiteVariant {
  return KNOWN_SITES[hashSeed('known-site', seed) % KNOWN_SITES.length] as SiteVariant;
}

/** Catalog seeds differ between splits, so held-out tasks show products never seen in training. */
export function catalogSeedOf(seed: number, split: 'train' | 'heldout'): number {
  return (hashSeed('catalog-seed', seed) % 1_000_000) + (split === 'heldout' ? 1_000_000 : 0);
}

export function taskId(family: string, difficulty: number, seed: number, split: string): string {
  return `web/${family}/${difficulty}/${split}/${seed}`;
}

export function rngFor(family: string, difficulty: number, seed: number, split: string): Rng {
  return new Rng(hashSeed('task', family, difficulty, seed, split));
}

export function baseTask(
  family: WebTaskFamily['info'],
  fields: {
    difficulty: number;
    seed: number;
    split: 'train' | 'heldout';
    goal: string;
    maxSteps: number;
    site: SiteVariant;
    catalogSeed: number;
    startPath: string;
    setup?: EpisodeSetup;
    expected: Record<string, unknown>;
    tags?: string[];
  },
): WebTaskSpec {
  return {
    id: taskId(family.family, fields.difficulty, fields.seed, fields.split),
    environment: 'web',
    family: family.family,
    difficulty: fields.difficulty,
    goal: fields.goal,
    seed: fields.seed,
    split: fields.split,
    needsExperience: family.needsExperience,
    maxSteps: fields.maxSteps,
    tags: [...family.skills, ...(fields.tags ?? []), `site:${fields.site.key}`],
    params: {
      site: fields.site.key,
      brand: fields.site.brand,
      catalogSeed: fields.catalogSeed,
      startPath: fields.startPath,
      setup: { catalogSeed: fields.catalogSeed, ...fields.setup },
      expected: fields.expected,
    },
  };
}

export function catalogOf(task: { params: WebTaskParams }) {
  return generateCatalog(task.params.site, task.params.catalogSeed);
}

/** Lower-case, collapse spaces, strip surrounding quotes and a final period. */
export function normalizeAnswer(text: string): string {
  return text
    .trim()
    .replace(/^["'“”]+|["'“”]+$/g, '')
    .replace(/\.$/, '')
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

/** Compares as numbers when both sides are numbers (`$84.00` = `84`, `12,400` = `12400`). */
export function answersMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = normalizeAnswer(given);
  const b = normalizeAnswer(expected);
  if (a === b) return true;
  const num = (s: string) =>
    /^[$€£]?\s*-?[\d,]+(\.\d+)?\s*(cm|usd)?$/.test(s) ? Number(s.replace(/[^\d.-]/g, '')) : Number.NaN;
  const x = num(a);
  const y = num(b);
  return !Number.isNaN(x) && !Number.isNaN(y) && Math.abs(x - y) < 1e-9;
}

export const FIRST_NAMES = [
  'Ann',
  'Ben',
  'Cleo',
  'Dara',
  'Eli',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kai',
  'Lea',
];
export const LAST_NAMES = ['Lee', 'Berg', 'Moss', 'Dahl', 'Ek', 'Lund', 'Falk', 'Holm', 'Nyström', 'Vik'];
export const STREETS = [
  'Elm Street',
  'Harbour Road',
  'Mill Lane',
  'Birch Avenue',
  'Kings Way',
  'Church Street',
];
export const CITIES = ['Bergen', 'Malmö', 'Aarhus', 'Tampere', 'Akureyri', 'Leipzig', 'Utrecht', 'Tromsø'];

export function person(rng: Rng) {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return {
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase().replace(/[^a-z]/g, '')}${rng.int(1, 99)}@example.org`,
    address: `${rng.int(2, 199)} ${rng.pick(STREETS)}`,
    city: rng.pick(CITIES),
  };
}
