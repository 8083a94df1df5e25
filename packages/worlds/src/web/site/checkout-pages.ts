/**
 * Checkout: the form (labels, field order and buttons follow the variant's conventions), the
 * server-side validation and prerequisite checks, and the pages each checkout button leads to.
 */
import { formatPrice } from './catalog';
import { cartOf, type ShippingDetails } from './episode-state';
import { type Html, html } from './html';
import { messages, renderPage } from './layout';
import { type PageContext, siteUrl } from './page-context';
import { productById } from './shop-pages';
import type { CheckoutField, SiteVariant } from './site-variant';

export const COUNTRIES = ['Norway', 'Sweden', 'Denmark', 'Finland', 'Iceland', 'Germany', 'Netherlands'];
export const EXTRAS = [
  { value: 'gift-wrap', label: 'Gift wrap (+$4.00)' },
  { value: 'newsletter', label: 'Subscribe to our newsletter' },
];

/** Buttons in display order: the conventions' order rotated by the catalog seed. */
export function checkoutButtons(site: SiteVariant, catalogSeed: number) {
  const buttons = site.conventions.checkoutButtons;
  const shift = catalogSeed % buttons.length;
  return [...buttons.slice(shift), ...buttons.slice(0, shift)];
}

export interface CheckoutFormValues extends Partial<ShippingDetails> {
  terms?: boolean;
  extras?: string[];
}

function field(site: SiteVariant, name: CheckoutField, value: string): Html {
  const label = site.conventions.checkoutLabels[name];
  if (name === 'country') {
    return html`<label>${label} <select name="country" required>
<option value="">Choose…</option>
${COUNTRIES.map((c) => html`<option value="${c}"${c === value ? html` selected` : ''}>${c}</option>`)}
</select></label>`;
  }
  const type = name === 'email' ? 'email' : 'text';
  return html`<label>${label} <input type="${type}" name="${name}" value="${value}" required></label>`;
}

export function checkoutPage(
  ctx: PageContext,
  values: CheckoutFormValues = {},
  notice?: string,
  errors: string[] = [],
): string {
  const { site, state } = ctx;
  const lines = cartOf(state, site.key);
  const known = site.kind === 'known';
  const profile = { ...state.profile, ...values };
  let total = 0;
  const summary = lines.map((line) => {
    const product = productById(ctx.catalog, line.productId);
    if (!product) return html``;
    total += product.priceCents * line.quantity;
    return html`<li>${line.quantity} × ${product.name} (${formatPrice(product.priceCents * line.quantity)})</li>`;
  });
  const signedIn = state.signedIn;
  const account = known
    ? signedIn
      ? html`<p>Signed in as ${signedIn}.</p>`
      : html`<p>You are checking out as a guest.</p>
<form method="post" action="${siteUrl(ctx, '/quick-sign-in')}"><button type="submit">${site.conventions.signInLabel}</button></form>`
    : html``;
  const verified = state.addressVerified.has(site.key) || state.presatisfied.has('verify-address');
  const termsChecked = values.terms ?? state.presatisfied.has('accept-terms');
  const extras = values.extras ?? [];
  const buttons = checkoutButtons(site, state.catalogSeed).map((b) =>
    b.effect === 'confirm'
      ? html`<button type="submit" name="action" value="confirm">${b.label}</button>`
      : html`<button type="submit" name="action" value="${b.effect}" formnovalidate>${b.label}</button>`,
  );
  const body = html`<h1>Checkout</h1>
${messages(notice, errors)}
${
  lines.length === 0
    ? html`<p>Your ${site.conventions.cartLabel.toLowerCase()} is empty.</p>`
    : html`<section aria-label="Order summary"><h2>Order summary</h2><ul>${summary}</ul><p>Total: ${formatPrice(total)}</p></section>`
}
${account}
<form method="post" action="${siteUrl(ctx, '/checkout')}" aria-label="Checkout">
<h2>Shipping details</h2>
${site.conventions.checkoutOrder.map((name) => field(site, name, String(profile[name] ?? '')))}
${known ? (verified ? html`<p>Address verified.</p>` : html`<button type="submit" name="action" value="verify" formnovalidate>Verify address</button>`) : ''}
<fieldset><legend>Extras</legend>
${EXTRAS.map((e) => html`<label><input type="checkbox" name="extras" value="${e.value}"${extras.includes(e.value) ? html` checked` : ''}> ${e.label}</label>`)}
</fieldset>
${known ? html`<label><input type="checkbox" name="terms" value="on"${termsChecked ? html` checked` : ''}> ${site.conventions.termsLabel}</label>` : ''}
<p>${buttons}</p>
</form>`;
  return renderPage(ctx, { title: 'Checkout', body });
}

export function orderPlacedPage(ctx: PageContext, number: string): string | undefined {
  const order = ctx.state.orders.find((o) => o.number === number && o.siteKey === ctx.site.key);
  if (!order) return undefined;
  return renderPage(ctx, {
    title: `Order ${number}`,
    body: html`<h1>Thank you!</h1><p role="status">Order ${number} has been placed.</p>
<p>It will be shipped to ${order.shipping.name}, ${order.shipping.city}, ${order.shipping.country}.</p>
<p><a href="${siteUrl(ctx, '/')}">Back to the shop</a></p>`,
  });
}

/** The page a non-confirming checkout button leads to (quote saved, cart saved for later). */
export function checkoutSidePage(ctx: PageContext, title: string, text: string): string {
  return renderPage(ctx, {
    title,
    body: html`<h1>${title}</h1><p role="status">${text}</p><p><a href="${siteUrl(ctx, '/checkout')}">Back to checkout</a></p>`,
  });
}
