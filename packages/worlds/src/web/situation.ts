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

export function webSituation(input: {
  site: string;
  url: string;
  elements: readonly ObservedElement[];
  alerts: readonly string[];
}): string {
  let path: string;
  try {
    path = new URL(input.url).pathname;
  } catch {
    path = input.url;
  }
  const controls = input.elements
    .filter((e) => e.region === 'main' && CONTROL_ROLES.has(e.role))
    .map(controlState)
    // Sorted: a site may lay its buttons out in a different order on each visit.
    .sort();
  const alerts = input.alerts.map((a) => a.replace(/\d+/g, '#'));
  const digest = (hashSeed(...controls, '|', ...alerts) >>> 0).toString(16).padStart(8, '0');
  return `${input.site}:${path}#${digest}`;
}

/**
 * The coarse class of a web situation (`data.situationClass`): the page kind without the site,
 * e.g. `/checkout`. What the agent learned on one brand's checkout (buttons place orders, links
 * lead away) is a prior for another brand's, whose own conventions it has not met yet.
 */
export function webSituationClass(input: { site: string; url: string }): string {
  let path: string;
  try {
    path = new URL(input.url).pathname;
  } catch {
    path = input.url;
  }
  const prefix = `/${input.site}`;
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  // Ids in paths (products, tickets) would make every page its own class.
  return (rest || '/').replace(/\/[^/]*\d[^/]*/g, '/:id');
}
