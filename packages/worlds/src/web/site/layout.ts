/**
 * The page shell shared by every store page: a header (brand, search, navigation), the main
 * content, and a footer. Where the cart link lives depends on the variant's conventions.
 */
import { cartOf } from './episode-state';
import { type Html, html, raw } from './html';
import { type PageContext, siteUrl } from './page-context';

const STYLE = raw(`<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
header a{color:#fff}.brand{font-size:20px;font-weight:700;margin-right:8px}
nav ul{list-style:none;display:flex;gap:12px;margin:0;padding:0}
main{padding:16px;max-width:960px}footer{padding:16px;border-top:1px solid #ccc;font-size:13px}
.card{border:1px solid #ddd;background:#fff;padding:8px;margin:6px 0}
.notice{background:#fff3c4;padding:8px}.error{background:#fde2e2;padding:8px;color:#8a1c1c}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}
label{display:block;margin-top:6px}
</style>`);

export interface PageOptions {
  title: string;
  body: Html;
  /** Extra markup after the footer (scripts of dynamic pages). */
  tail?: Html;
}

function cartLink(ctx: PageContext): Html {
  const count = cartOf(ctx.state, ctx.site.key).reduce((n, l) => n + l.quantity, 0);
  return html`<a href="${siteUrl(ctx, '/cart')}">${ctx.site.conventions.cartLabel} (${count})</a>`;
}

/** The cart link and its decoys, wherever the conventions put them. */
export function cartLinks(ctx: PageContext): Html {
  const decoys = ctx.site.conventions.cartDecoys.map(
    (label) =>
      html`<li><a href="${siteUrl(ctx, `/list/${label.toLowerCase().replace(/\W+/g, '-')}`)}">${label}</a></li>`,
  );
  return html`<li>${cartLink(ctx)}</li>${decoys}`;
}

export function renderPage(ctx: PageContext, options: PageOptions): string {
  const { site } = ctx;
  const placement = site.conventions.cartPlacement;
  const nav = html`<nav aria-label="Main">
<ul>
<li><a href="${siteUrl(ctx, '/')}">Home</a></li>
<li><a href="${siteUrl(ctx, '/catalog')}">Catalog</a></li>
<li><a href="${siteUrl(ctx, '/deals')}">Deals</a></li>
<li><a href="${siteUrl(ctx, '/reports')}">Reports</a></li>
<li><a href="${siteUrl(ctx, '/support')}">Support</a></li>
<li><a href="${siteUrl(ctx, '/account')}">Account</a></li>
${placement === 'header' ? cartLinks(ctx) : ''}
</ul>
</nav>`;
  const footerShop =
    placement === 'footer' ? html`<nav aria-label="Shop"><ul>${cartLinks(ctx)}</ul></nav>` : html``;
  const doc = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${options.title} - ${site.brand}</title>${STYLE}</head>
<body>
<header style="background:${site.accent}">
<span class="brand">${site.brand}</span><span>${site.tagline}</span>
<form role="search" action="${siteUrl(ctx, '/search')}" method="get">
<input type="search" name="q" aria-label="Search products" placeholder="Search products" value="${ctx.query.get('q') ?? ''}">
<button type="submit">Search</button>
</form>
${nav}
</header>
<main>
${options.body}
</main>
<footer>
${footerShop}
<p><a href="${siteUrl(ctx, '/about')}">About ${site.brand}</a> · <a href="${siteUrl(ctx, '/support')}">Contact</a> · © 2025 ${site.brand}</p>
</footer>
${options.tail ?? ''}
</body></html>`;
  return doc.value;
}

/** A notice or error line at the top of a page (role=alert so assistive tech and agents see it). */
export function messages(notice?: string, errors: string[] = []): Html {
  return html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${
    errors.length ? html`<div class="error" role="alert">${errors.map((e) => html`<p>${e}</p>`)}</div>` : ''
  }`;
}
