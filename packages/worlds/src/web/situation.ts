/**
 * The situation key of a web observation (`data.situation`): what episodic memory indexes what the
 * agent did by. Two observations share a key when they are the same kind of state of the same
 * site, whatever the task instance: the site, the path (no query), the page's form controls with
 * their state (checked, filled or empty, disabled) and its alerts. Product links, prices, names and
 * form values are left out, so a brand's checkout page in a held-out task (other products, another
 * customer) is the situation its training episodes visited, while ticking a box, signing in or a
 * rejection message makes it a new one.
 */
import type { ObservedElement } from '@chimera/toolbelt/playwright';
import { hashSeed } from './site/rng';

const CONTROL_ROLES = new Set(['button', 'checkbox', 'radio', 'switch', 'textbox', 'searchbox', 'combobox']);

function controlState(e: ObservedElement): string {
  const parts = [e.role, e.name];
  if (e.checked !== undefined)
    parts.push(e.checked === true ? 'on' : e.checked === 'mixed' ? 'mixed' : 'off');
  if (e.role === 'textbox' || e.role === 'combobox' || e.role === 'searchbox') {
    const filled = typeof e.value === 'string' && e.value.trim() !== '' && !/^choose/i.test(e.value.trim());
    parts.push(filled ? 'filled' : 'empty');
  }
  if (e.disabled) parts.push('disabled');
  return parts.join(':');
}

interface SituationInput {
  site: string;
  url: string;
  elements: readonly ObservedElement[];
  alerts: readonly string[];
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function controlsOf(elements: readonly ObservedElement[]): string[] {
  return (
    elements
      .filter((e) => e.region === 'main' && CONTROL_ROLES.has(e.role))
      .map(controlState)
      // Sorted: a site may lay its buttons out in a different order on each visit.
      .sort()
  );
}

const digestOf = (...parts: string[]) => (hashSeed(...parts) >>> 0).toString(16).padStart(8, '0');

/**
 * The situation key of an observation and its coarser keys (`data.situation`,
 * `data.situationBackoff`), from one pass over the page's controls.
 */
export function webSituationKeys(input: SituationInput): { situation: string; situationBackoff: string[] } {
  const page = `${input.site}:${pathOf(input.url)}`;
  const controls = controlsOf(input.elements);
  const alerts = input.alerts.map((a) => a.replace(/\d+/g, '#'));
  return {
    situation: `${page}#${digestOf(...controls, '|', ...alerts)}`,
    // Finer first: the page without its alerts (a rejected order's page is the page it was rejected
    // on), then the site's page whatever its controls' state (a brand's checkout, whichever steps are
    // done). Episodic memory falls back on them for actions never tried in the exact situation.
    situationBackoff: [`${page}#${digestOf(...controls)}`, page],
  };
}

export function webSituation(input: SituationInput): string {
  return webSituationKeys(input).situation;
}

/** Coarser keys of the same state, finer first (see webSituationKeys). */
export function webSituationBackoff(input: SituationInput): string[] {
  return webSituationKeys(input).situationBackoff;
}

/**
 * The coarse class of a web situation (`data.situationClass`): the page kind without the site,
 * e.g. `/checkout`. What the agent learned on one brand's checkout (buttons place orders, links
 * lead away) is a prior for another brand's, whose own conventions it has not met yet.
 */
export function webSituationClass(input: { site: string; url: string }): string {
  const path = pathOf(input.url);
  const prefix = `/${input.site}`;
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  // Ids in paths (products, tickets) would make every page its own class.
  return (rest || '/').replace(/\/[^/]*\d[^/]*/g, '/:id');
}
