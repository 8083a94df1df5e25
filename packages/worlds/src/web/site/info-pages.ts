/**
 * Pages with facts to extract: report tables, a size guide and warranty page (opened in new tabs
 * from product pages), the warranty registration form, and a page that re-renders itself.
 */
import { formatPrice } from './catalog';
import { html, raw } from './html';
import { messages, renderPage } from './layout';
import { type PageContext, siteUrl } from './page-context';
import { hashSeed, Rng } from './rng';
import { productById } from './shop-pages';

export const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
export const QUARTERS = ['Q1', 'Q2', 'Q3', 'Q4'];
export const RETURN_REASONS = ['Damaged', 'Wrong size', 'Changed mind', 'Late delivery'];

/** Revenue (whole dollars) per region and quarter, a pure function of site and catalog seed. */
export function salesTable(siteKey: string, catalogSeed: number): number[][] {
  const rng = new Rng(hashSeed('sales', siteKey, catalogSeed));
  return REGIONS.map(() => QUARTERS.map(() => rng.int(80, 990) * 100));
}

export function returnsTable(siteKey: string, catalogSeed: number): number[] {
  const rng = new Rng(hashSeed('returns', siteKey, catalogSeed));
  return RETURN_REASONS.map(() => rng.int(3, 140));
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function reportsPage(ctx: PageContext): string {
  const sales = salesTable(ctx.site.key, ctx.state.catalogSeed);
  const stock = ctx.catalog.products.slice(0, 8);
  return renderPage(ctx, {
    title: 'Reports',
    body: html`<h1>Reports</h1>
<table aria-label="Sales by region"><caption>Sales by region (USD)</caption>
<thead><tr><th>Region</th>${QUARTERS.map((q) => html`<th>${q}</th>`)}</tr></thead>
<tbody>${REGIONS.map((r, i) => html`<tr><th scope="row">${r}</th>${(sales[i] ?? []).map((v) => html`<td>${formatNumber(v)}</td>`)}</tr>`)}</tbody>
</table>
<table aria-label="Inventory"><caption>Inventory</caption>
<thead><tr><th>Product</th><th>SKU</th><th>Price</th><th>Stock</th></tr></thead>
<tbody>${stock.map((p) => html`<tr><td>${p.name}</td><td>${p.sku}</td><td>${formatPrice(p.priceCents)}</td><td>${p.stock}</td></tr>`)}</tbody>
</table>
<p><a href="${siteUrl(ctx, '/reports/returns')}" target="_blank">Returns report</a> (opens in a new tab)</p>`,
  });
}

export function returnsReportPage(ctx: PageContext): string {
  const counts = returnsTable(ctx.site.key, ctx.state.catalogSeed);
  return renderPage(ctx, {
    title: 'Returns report',
    body: html`<h1>Returns report</h1>
<table aria-label="Returns by reason"><caption>Returns by reason</caption>
<thead><tr><th>Reason</th><th>Returns</th></tr></thead>
<tbody>${RETURN_REASONS.map((r, i) => html`<tr><td>${r}</td><td>${counts[i] ?? 0}</td></tr>`)}</tbody></table>`,
  });
}

export function sizeGuidePage(ctx: PageContext, id: string): string | undefined {
  const product = productById(ctx.catalog, id);
  if (!product) return undefined;
  return renderPage(ctx, {
    title: `Size guide: ${product.name}`,
    body: html`<h1>Size guide: ${product.name}</h1>
<table aria-label="Sizes"><thead><tr><th>Size</th><th>Chest (cm)</th><th>Length (cm)</th></tr></thead>
<tbody>${product.sizes.map((s) => html`<tr><td>${s.size}</td><td>${s.chestCm}</td><td>${s.lengthCm}</td></tr>`)}</tbody></table>`,
  });
}

export function warrantyPage(ctx: PageContext, id: string): string | undefined {
  const product = productById(ctx.catalog, id);
  if (!product) return undefined;
  return renderPage(ctx, {
    title: `Warranty: ${product.name}`,
    body: html`<h1>Warranty: ${product.name}</h1>
<p>Every ${product.name} comes with a two-year warranty.</p>
<p>Registration code: <strong>${product.warrantyCode}</strong></p>
<p>Enter this code in the warranty registration form to activate your warranty.</p>`,
  });
}

export function warrantyRegisterPage(
  ctx: PageContext,
  values: Record<string, string> = {},
  errors: string[] = [],
): string {
  const productId = values.product ?? ctx.query.get('product') ?? '';
  const product = productById(ctx.catalog, productId);
  return renderPage(ctx, {
    title: 'Register your warranty',
    body: html`<h1>Register your warranty</h1>
${messages(undefined, errors)}
<form method="post" action="${siteUrl(ctx, '/warranty-register')}" aria-label="Warranty registration">
<p>Product: ${product?.name ?? 'unknown'}</p>
<input type="hidden" name="product" value="${productId}">
<label>Warranty code <input type="text" name="code" value="${values.code ?? ''}" required></label>
<button type="submit">Register</button>
</form>`,
  });
}

export function registeredPage(ctx: PageContext): string {
  return renderPage(ctx, {
    title: 'Warranty registered',
    body: html`<h1>Warranty registered</h1><p role="status">Your warranty is now active.</p>`,
  });
}

/** Live stock page: fills in after a delay, and its list is rebuilt (new nodes) on every shuffle. */
export function livePage(ctx: PageContext): string {
  const rng = new Rng(hashSeed('live', ctx.site.key, ctx.state.catalogSeed));
  const items = ctx.catalog.products.slice(0, 5).map((p) => ({ name: p.name, stock: p.stock }));
  const code = `LS-${rng.int(1000, 9999)}`;
  const script = raw(`<script>
(() => {
  const items = ${JSON.stringify(items).replace(/</g, '\\u003c')};
  const list = document.getElementById('live-list');
  const status = document.getElementById('live-status');
  function render() {
    list.replaceChildren(...items.map((item) => {
      const row = document.createElement('div');
      row.className = 'card';
      const text = document.createElement('span');
      text.textContent = item.name + ': ' + item.stock + ' in stock ';
      const button = document.createElement('button');
      button.textContent = 'Reserve';
      button.setAttribute('aria-label', 'Reserve ' + item.name);
      button.onclick = () => { status.textContent = 'Reserved ' + item.name; };
      row.append(text, button);
      return row;
    }));
  }
  setTimeout(() => { status.textContent = 'Stock check complete. Reference code: ${code}'; render(); }, 1200);
  document.getElementById('live-shuffle').onclick = () => { items.push(items.shift()); render(); };
})();
</script>`);
  return renderPage(ctx, {
    title: 'Live stock',
    body: html`<h1>Live stock</h1>
<p id="live-status" role="status">Checking stock…</p>
<div id="live-list" aria-label="Stock list"></div>
<button type="button" id="live-shuffle">Shuffle list</button>`,
    tail: script,
  });
}

export function liveReferenceCode(siteKey: string, catalogSeed: number): string {
  const rng = new Rng(hashSeed('live', siteKey, catalogSeed));
  return `LS-${rng.int(1000, 9999)}`;
}
