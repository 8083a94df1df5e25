/**
 * Store pages: home, catalog, category, search results, product, cart, and the decoy lists
 * (wishlist, favourites...) that sit beside the cart link on some variants.
 */
import { type Catalog, formatPrice, type Product } from './catalog';
import { cartOf } from './episode-state';
import { type Html, html } from './html';
import { cartLinks, messages, renderPage } from './layout';
import { type PageContext, siteUrl } from './page-context';

function productCard(ctx: PageContext, product: Product): Html {
  return html`<article class="card">
<h3><a href="${siteUrl(ctx, `/product/${product.id}`)}">${product.name}</a></h3>
<p>${formatPrice(product.priceCents)} · ${product.color}</p>
<form method="post" action="${siteUrl(ctx, '/cart/add')}">
<input type="hidden" name="productId" value="${product.id}">
<button type="submit" aria-label="Add ${product.name} to ${ctx.site.conventions.cartLabel.toLowerCase()}">Add to ${ctx.site.conventions.cartLabel.toLowerCase()}</button>
</form>
</article>`;
}

export function productById(catalog: Catalog, id: string): Product | undefined {
  return catalog.products.find((p) => p.id === id);
}

export function homePage(ctx: PageContext): string {
  const featured = ctx.catalog.featured
    .map((id) => productById(ctx.catalog, id))
    .filter((p): p is Product => p !== undefined);
  return renderPage(ctx, {
    title: 'Home',
    body: html`<h1>Welcome to ${ctx.site.brand}</h1>
<section aria-label="Featured"><h2>Featured products</h2>
${featured.map((p) => html`<p><a href="${siteUrl(ctx, `/product/${p.id}`)}">${p.name}</a> ${formatPrice(p.priceCents)}</p>`)}
</section>
<section aria-label="Categories"><h2>Shop by category</h2><ul>
${ctx.catalog.categories.map((c) => html`<li><a href="${siteUrl(ctx, `/category/${c.slug}`)}">${c.name}</a></li>`)}
</ul></section>`,
  });
}

export function catalogPage(ctx: PageContext): string {
  return renderPage(ctx, {
    title: 'Catalog',
    body: html`<h1>Catalog</h1><ul>
${ctx.catalog.categories.map((c) => html`<li><a href="${siteUrl(ctx, `/category/${c.slug}`)}">${c.name}</a></li>`)}
</ul>`,
  });
}

export function categoryPage(ctx: PageContext, slug: string): string | undefined {
  const category = ctx.catalog.categories.find((c) => c.slug === slug);
  if (!category) return undefined;
  const products = ctx.catalog.products.filter((p) => p.category === category.name);
  return renderPage(ctx, {
    title: category.name,
    body: html`<h1>${category.name}</h1><p>${products.length} products</p>${products.map((p) => productCard(ctx, p))}`,
  });
}

/** Every query word must occur in the product name (case-insensitive). */
export function searchProducts(catalog: Catalog, query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return catalog.products.filter((p) => {
    const name = p.name.toLowerCase();
    return words.every((w) => name.includes(w));
  });
}

export function searchPage(ctx: PageContext): string {
  const query = ctx.query.get('q') ?? '';
  const results = searchProducts(ctx.catalog, query);
  return renderPage(ctx, {
    title: `Search: ${query}`,
    body: html`<h1>Search results for "${query}"</h1>
${results.length === 0 ? html`<p>No products match "${query}".</p>` : html`<p>${results.length} results</p>`}
${results.map((p) => productCard(ctx, p))}`,
  });
}

export function productPage(ctx: PageContext, id: string): string | undefined {
  const product = productById(ctx.catalog, id);
  if (!product) return undefined;
  const cartWord = ctx.site.conventions.cartLabel.toLowerCase();
  return renderPage(ctx, {
    title: product.name,
    body: html`<nav aria-label="Breadcrumb"><a href="${siteUrl(ctx, '/')}">Home</a> › <a href="${siteUrl(
      ctx,
      `/category/${ctx.catalog.categories.find((c) => c.name === product.category)?.slug ?? ''}`,
    )}">${product.category}</a></nav>
<h1>${product.name}</h1>
<p>Price: ${formatPrice(product.priceCents)}</p>
<p>Colour: ${product.color} · SKU: ${product.sku} · In stock: ${product.stock}</p>
<p>${product.description}</p>
<form method="post" action="${siteUrl(ctx, '/cart/add')}">
<input type="hidden" name="productId" value="${product.id}">
<label>Quantity <input type="number" name="quantity" value="1" min="1" max="10" required></label>
<button type="submit">Add to ${cartWord}</button>
</form>
<p><a href="${siteUrl(ctx, `/size-guide/${product.id}`)}" target="_blank">Size guide</a> · <a href="${siteUrl(
      ctx,
      `/warranty/${product.id}`,
    )}" target="_blank">Warranty details</a> · <a href="${siteUrl(ctx, `/warranty-register?product=${product.id}`)}">Register your warranty</a></p>`,
  });
}

export function cartPage(ctx: PageContext, notice?: string): string {
  const lines = cartOf(ctx.state, ctx.site.key);
  const label = ctx.site.conventions.cartLabel;
  let total = 0;
  const rows = lines.map((line, i) => {
    const product = productById(ctx.catalog, line.productId);
    if (!product) return html``;
    total += product.priceCents * line.quantity;
    return html`<tr><td><a href="${siteUrl(ctx, `/product/${product.id}`)}">${product.name}</a></td>
<td><input type="number" name="qty${i}" aria-label="Quantity of ${product.name}" value="${line.quantity}" min="0" max="10"></td>
<td>${formatPrice(product.priceCents * line.quantity)}</td>
<td><button type="submit" name="remove" value="${i}" aria-label="Remove ${product.name}">Remove</button></td></tr>`;
  });
  const body =
    lines.length === 0
      ? html`<h1>Your ${label.toLowerCase()}</h1>${messages(notice)}<p>Your ${label.toLowerCase()} is empty.</p>`
      : html`<h1>Your ${label.toLowerCase()}</h1>${messages(notice)}
<form method="post" action="${siteUrl(ctx, '/cart/update')}">
<table><thead><tr><th>Product</th><th>Quantity</th><th>Subtotal</th><th></th></tr></thead><tbody>${rows}</tbody></table>
<button type="submit" name="update" value="1">Update quantities</button>
</form>
<p>Total: ${formatPrice(total)}</p>
<p><a href="${siteUrl(ctx, '/checkout')}">Go to checkout</a></p>`;
  return renderPage(ctx, { title: label, body });
}

/** The wishlist-like pages beside the cart link: real pages, but not the cart. */
export function decoyListPage(ctx: PageContext, slug: string): string | undefined {
  const label = ctx.site.conventions.cartDecoys.find((d) => d.toLowerCase().replace(/\W+/g, '-') === slug);
  if (!label) return undefined;
  return renderPage(ctx, {
    title: label,
    body: html`<h1>${label}</h1><p>Nothing here yet.</p>`,
  });
}

export function accountPage(ctx: PageContext): string {
  const user = ctx.state.signedIn;
  const orders = ctx.state.orders.filter((o) => o.siteKey === ctx.site.key);
  return renderPage(ctx, {
    title: 'Account',
    body: html`<h1>Your account</h1>
${
  user
    ? html`<p>Signed in as ${user}.</p><form method="post" action="${siteUrl(ctx, '/logout')}"><button type="submit">Sign out</button></form>`
    : html`<p>You are not signed in.</p><p><a href="${siteUrl(ctx, '/login')}">Sign in</a></p>`
}
${ctx.site.conventions.cartPlacement === 'account' ? html`<nav aria-label="Your lists"><ul>${cartLinks(ctx)}</ul></nav>` : ''}
<h2>Orders</h2>
${orders.length === 0 ? html`<p>No orders yet.</p>` : html`<ul>${orders.map((o) => html`<li>Order ${o.number}</li>`)}</ul>`}`,
  });
}
