/**
 * POST /checkout: what each checkout button does, server-side validation of the shipping
 * details, and the store's prerequisites (sign-in, accepted terms, verified address).
 */
import { type CheckoutFormValues, COUNTRIES, checkoutPage, EXTRAS } from './checkout-pages';
import { cartOf, type ShippingDetails } from './episode-state';
import type { PageContext } from './page-context';
import type { Prerequisite } from './site-variant';
import type { RouteResult } from './task-site-server';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readValues(form: URLSearchParams): CheckoutFormValues & ShippingDetails {
  const text = (name: string) => (form.get(name) ?? '').trim();
  return {
    name: text('name'),
    email: text('email'),
    address: text('address'),
    city: text('city'),
    country: text('country'),
    terms: form.get('terms') === 'on',
    extras: form.getAll('extras').filter((e) => EXTRAS.some((x) => x.value === e)),
  };
}

export function validateShipping(ctx: PageContext, values: ShippingDetails): string[] {
  const labels = ctx.site.conventions.checkoutLabels;
  const errors: string[] = [];
  for (const field of ['name', 'address', 'city'] as const) {
    if (!values[field]) errors.push(`${labels[field]} is required.`);
  }
  if (!EMAIL.test(values.email)) errors.push(`${labels.email} must be a valid email address.`);
  if (!COUNTRIES.includes(values.country)) errors.push(`Choose a ${labels.country.toLowerCase()}.`);
  return errors;
}

function missingPrerequisites(ctx: PageContext, values: CheckoutFormValues): Prerequisite[] {
  const { state, site } = ctx;
  return site.conventions.prerequisites.filter((p) => {
    if (state.presatisfied.has(p)) return false;
    if (p === 'sign-in') return !state.signedIn;
    if (p === 'accept-terms') return !values.terms;
    return !state.addressVerified.has(site.key);
  });
}

function prerequisiteMessage(ctx: PageContext, p: Prerequisite): string {
  if (p === 'sign-in') return 'Order not placed: guest checkout is not available. Sign in first.';
  if (p === 'accept-terms') return `Order not placed: tick "${ctx.site.conventions.termsLabel}".`;
  return 'Order not placed: verify the address first.';
}

export function handleCheckout(ctx: PageContext, form: URLSearchParams): RouteResult {
  const { state, site } = ctx;
  const action = form.get('action') ?? 'confirm';
  const values = readValues(form);
  const cart = cartOf(state, site.key);
  switch (action) {
    case 'verify': {
      if (!values.address || !values.city) {
        return {
          status: 422,
          html: checkoutPage(ctx, values, undefined, ['Enter the address and city to verify them.']),
        };
      }
      state.addressVerified.add(site.key);
      state.events.push({ kind: 'checkout-effect', path: ctx.path, detail: 'verify' });
      return { html: checkoutPage(ctx, values, 'Address verified.') };
    }
    case 'quote':
      state.events.push({ kind: 'checkout-effect', path: ctx.path, detail: 'quote' });
      return { redirect: `/quote/Q-${100 + state.events.length}` };
    case 'save':
      state.events.push({ kind: 'checkout-effect', path: ctx.path, detail: 'save' });
      return { redirect: '/saved/items' };
    case 'recalculate':
      state.events.push({ kind: 'checkout-effect', path: ctx.path, detail: 'recalculate' });
      return { html: checkoutPage(ctx, values, 'Shipping recalculated: delivery is free.') };
    case 'continue-shopping':
      state.events.push({ kind: 'checkout-effect', path: ctx.path, detail: 'continue-shopping' });
      return { redirect: '/' };
    case 'confirm':
      break;
    default:
      return { status: 400, html: checkoutPage(ctx, values, undefined, [`Unknown action "${action}".`]) };
  }
  const errors = validateShipping(ctx, values);
  if (cart.length === 0) errors.unshift('Your cart is empty.');
  if (errors.length > 0) {
    state.events.push({ kind: 'validation-failed', path: ctx.path, detail: errors.join(' ') });
    return { status: 422, html: checkoutPage(ctx, values, undefined, errors) };
  }
  const missing = missingPrerequisites(ctx, values);
  if (missing.length > 0) {
    state.events.push({ kind: 'order-rejected', path: ctx.path, detail: missing.join(',') });
    return {
      status: 422,
      html: checkoutPage(
        ctx,
        values,
        undefined,
        missing.map((p) => prerequisiteMessage(ctx, p)),
      ),
    };
  }
  const number = String(1001 + state.orders.length);
  state.orders.push({
    number,
    siteKey: site.key,
    lines: cart.map((l) => ({ ...l })),
    shipping: {
      name: values.name,
      email: values.email,
      address: values.address,
      city: values.city,
      country: values.country,
    },
    extras: values.extras ?? [],
    signedIn: state.signedIn !== undefined,
  });
  cart.length = 0;
  state.events.push({ kind: 'order-placed', path: ctx.path, detail: number });
  return { redirect: `/order/${number}` };
}
