/**
 * A scripted policy (test-only) that knows each task's hidden parameters and picks, at every step,
 * one of the session's own candidates. It proves two things per family: the task is solvable
 * within its step budget through the candidate set a learned policy would see, and the reward
 * function pays for the right outcome.
 */
import type { CandidateAction, Observation } from '@chimera/toolbelt';
import {
  type Catalog,
  confirmLabelOf,
  generateCatalog,
  type SiteVariant,
  siteVariantByKey,
  type WebObservationData,
  type WebTaskSpec,
} from '@chimera/worlds/web';

interface Ctx {
  task: WebTaskSpec;
  data: WebObservationData;
  candidates: CandidateAction[];
  site: SiteVariant;
  catalog: Catalog;
  /** Path with the query string. */
  path: string;
  /** Path without the query string. */
  pathname: string;
}

function pick(ctx: Ctx, what: string, test: (c: CandidateAction) => boolean): CandidateAction {
  const found = ctx.candidates.find(test);
  if (!found) {
    throw new Error(
      `scripted policy: no candidate to ${what} on ${ctx.path} (${ctx.task.id})\n${ctx.candidates.map((c) => c.text).join('\n')}`,
    );
  }
  return found;
}

const clickNamed = (ctx: Ctx, name: string, role = '') =>
  pick(
    ctx,
    `click "${name}"`,
    (c) => c.call.tool === 'click' && c.text.includes(`${role}${role ? ' ' : ''}"${name}"`),
  );
const clickStarting = (ctx: Ctx, prefix: string) =>
  pick(ctx, `click "${prefix}…"`, (c) => c.call.tool === 'click' && c.text.includes(` "${prefix}`));
const answer = (ctx: Ctx, value: string) =>
  pick(
    ctx,
    `answer ${value}`,
    (c) => c.call.tool === 'answer' && (c.call.args as { text: string }).text === value,
  );

function element(ctx: Ctx, name: string) {
  return ctx.data.elements.find((e) => e.name === name);
}

/** The next unfinished field of a form, as a fill/select/check candidate; undefined when all are done. */
function nextField(
  ctx: Ctx,
  fields: { label: string; value: string | boolean }[],
): CandidateAction | undefined {
  for (const field of fields) {
    const el = element(ctx, field.label);
    if (!el) throw new Error(`scripted policy: no field "${field.label}" on ${ctx.path}`);
    if (typeof field.value === 'boolean') {
      if (el.checked !== field.value) {
        return pick(
          ctx,
          `${field.value ? 'check' : 'uncheck'} ${field.label}`,
          (c) =>
            c.call.tool === (field.value ? 'check' : 'uncheck') &&
            (c.call.args as { id: string }).id === el.id,
        );
      }
      continue;
    }
    // A password field shows a mask, not its value: filled once is done.
    if (el.value === field.value || (field.label === 'Password' && el.value)) continue;
    const tool = el.role === 'combobox' ? 'select_option' : 'fill';
    return pick(ctx, `set ${field.label} = ${field.value}`, (c) => {
      const args = c.call.args as { id: string; text?: string; option?: string };
      return c.call.tool === tool && args.id === el.id && (args.text ?? args.option) === field.value;
    });
  }
  return undefined;
}

function productName(ctx: Ctx, id: string): string {
  return ctx.catalog.products.find((p) => p.id === id)?.name as string;
}

function checkoutPage(ctx: Ctx, shipping: Record<string, string>): CandidateAction {
  const labels = ctx.site.conventions.checkoutLabels as Record<string, string>;
  const todo = nextField(
    ctx,
    Object.entries(shipping).map(([k, v]) => ({ label: labels[k] as string, value: v })),
  );
  return todo ?? clickNamed(ctx, confirmLabelOf(ctx.site), 'button');
}

function buyFlow(
  ctx: Ctx,
  productId: string,
  quantity: number,
  shipping: Record<string, string>,
  viaSearch: boolean,
): CandidateAction {
  const name = productName(ctx, productId);
  if (ctx.pathname.endsWith('/checkout')) return checkoutPage(ctx, shipping);
  if (ctx.pathname.endsWith('/cart')) return clickNamed(ctx, 'Go to checkout', 'link');
  if (ctx.path.includes(`/product/${productId}`)) {
    const quantityField = nextField(ctx, [{ label: 'Quantity', value: String(quantity) }]);
    return (
      quantityField ?? clickNamed(ctx, `Add to ${ctx.site.conventions.cartLabel.toLowerCase()}`, 'button')
    );
  }
  if (ctx.path.includes('/search')) return clickNamed(ctx, name, 'link');
  if (viaSearch) {
    return pick(
      ctx,
      `search ${name}`,
      (c) =>
        c.call.tool === 'fill' &&
        c.text.includes('searchbox') &&
        (c.call.args as { text: string }).text === name,
    );
  }
  throw new Error(`scripted policy: lost on ${ctx.path}`);
}

export function scriptedAction(
  task: WebTaskSpec,
  observation: Observation,
  candidates: CandidateAction[],
): CandidateAction {
  const data = observation.data as WebObservationData;
  const site = siteVariantByKey(task.params.site) as SiteVariant;
  const ctx: Ctx = {
    task,
    data,
    candidates,
    site,
    catalog: generateCatalog(task.params.site, task.params.catalogSeed),
    path: new URL(data.url).pathname + new URL(data.url).search,
    pathname: new URL(data.url).pathname,
  };
  const expected = task.params.expected as Record<string, unknown>;
  const d = task.difficulty;
  switch (task.family) {
    case 'navigation': {
      const name = String(expected.productName);
      if (ctx.candidates.some((c) => c.text.includes(`link "${name}"`))) return clickNamed(ctx, name, 'link');
      if (d === 1) return clickNamed(ctx, task.goal.match(/in the (.+) category/)?.[1] as string, 'link');
      return pick(
        ctx,
        'search',
        (c) =>
          c.call.tool === 'fill' &&
          c.text.includes('searchbox') &&
          (c.call.args as { text: string }).text === name,
      );
    }
    case 'search-extract': {
      const value = String(expected.answer);
      if (
        ctx.candidates.some(
          (c) => c.call.tool === 'answer' && (c.call.args as { text: string }).text === value,
        )
      )
        return answer(ctx, value);
      if (d === 2) return clickNamed(ctx, 'Deals', 'link');
      const name = task.goal.match(/"([^"]+)"/)?.[1] as string;
      if (ctx.path.includes('/search')) return clickNamed(ctx, name, 'link');
      return pick(
        ctx,
        'search',
        (c) =>
          c.call.tool === 'fill' &&
          c.text.includes('searchbox') &&
          (c.call.args as { text: string }).text === name,
      );
    }
    case 'form-filling': {
      const labels = site.conventions.supportLabels as Record<string, string>;
      const { fields, user } = expected as { fields: Record<string, string>; user?: string };
      if (user !== undefined) {
        if (ctx.path.includes('/login')) {
          return (
            nextField(ctx, [
              { label: 'Username', value: user },
              { label: 'Password', value: task.goal.match(/password "([^"]+)"/)?.[1] as string },
            ]) ?? clickNamed(ctx, 'Sign in', 'button')
          );
        }
        if (data.text.some((t) => t.text.startsWith('You are not signed in')))
          return clickNamed(ctx, 'Sign in', 'link');
      }
      const todo = nextField(
        ctx,
        Object.entries(fields).map(([k, v]) => ({
          label: labels[k] as string,
          value: k === 'urgent' ? v === 'yes' : v,
        })),
      );
      return todo ?? clickNamed(ctx, 'Send message', 'button');
    }
    case 'checkout': {
      const { lines, shipping } = expected as {
        lines: { productId: string; quantity: number }[];
        shipping: Record<string, string>;
      };
      const line = lines[0] as { productId: string; quantity: number };
      return buyFlow(ctx, line.productId, line.quantity, shipping, d === 2);
    }
    case 'multi-tab': {
      if (d === 0) {
        if (ctx.path.includes('/size-guide/')) return answer(ctx, String(expected.answer));
        return clickNamed(ctx, 'Size guide', 'link');
      }
      const code = String(expected.code);
      if (ctx.path.includes('/warranty/'))
        return pick(
          ctx,
          'switch to tab 1',
          (c) => c.call.tool === 'switch_tab' && (c.call.args as { tab: number }).tab === 1,
        );
      if (ctx.path.startsWith(`/${site.key}/warranty-register`)) {
        return (
          nextField(ctx, [{ label: 'Warranty code', value: code }]) ?? clickNamed(ctx, 'Register', 'button')
        );
      }
      if (data.tabs.length > 1) return clickNamed(ctx, 'Register your warranty', 'link');
      return clickNamed(ctx, 'Warranty details', 'link');
    }
    case 'site-conventions': {
      if (ctx.pathname.endsWith('/checkout')) return clickNamed(ctx, confirmLabelOf(site), 'button');
      if (ctx.pathname.endsWith('/cart')) return clickNamed(ctx, 'Go to checkout', 'link');
      if (site.conventions.cartPlacement === 'account' && !ctx.pathname.endsWith('/account'))
        return clickNamed(ctx, 'Account', 'link');
      return clickStarting(ctx, `${site.conventions.cartLabel} (`);
    }
    case 'procedures': {
      const { shipping } = expected as { shipping: Record<string, string> };
      const prerequisites = site.conventions.prerequisites;
      if (
        prerequisites.includes('sign-in') &&
        data.text.some((t) => t.text === 'You are checking out as a guest.')
      ) {
        return clickNamed(ctx, site.conventions.signInLabel, 'button');
      }
      const labels = site.conventions.checkoutLabels as Record<string, string>;
      const fields = nextField(
        ctx,
        Object.entries(shipping).map(([k, v]) => ({ label: labels[k] as string, value: v })),
      );
      if (fields) return fields;
      if (prerequisites.includes('accept-terms')) {
        const terms = nextField(ctx, [{ label: site.conventions.termsLabel, value: true }]);
        if (terms) return terms;
      }
      if (prerequisites.includes('verify-address') && element(ctx, 'Verify address'))
        return clickNamed(ctx, 'Verify address', 'button');
      return clickNamed(ctx, confirmLabelOf(site), 'button');
    }
    case 'distractors': {
      const name = productName(ctx, String(expected.productId));
      return clickNamed(ctx, `Add ${name} to cart`, 'button');
    }
    default:
      throw new Error(`scripted policy: unknown family ${task.family}`);
  }
}
