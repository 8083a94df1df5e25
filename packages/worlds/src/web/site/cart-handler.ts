/** Cart mutations (POST handlers): add a product, update quantities, remove a line. */
import { cartOf } from './episode-state';
import type { PageContext } from './page-context';
import { productById } from './shop-pages';
import type { RouteResult } from './task-site-server';

export function handleCartAdd(ctx: PageContext, form: URLSearchParams): RouteResult {
  const productId = form.get('productId') ?? '';
  const product = productById(ctx.catalog, productId);
  if (!product) return { status: 404, html: `<!doctype html><h1>Unknown product</h1>` };
  const quantity = Math.max(1, Math.min(10, Number.parseInt(form.get('quantity') ?? '1', 10) || 1));
  const cart = cartOf(ctx.state, ctx.site.key);
  const line = cart.find((l) => l.productId === productId);
  if (line) line.quantity = Math.min(10, line.quantity + quantity);
  else cart.push({ productId, quantity });
  ctx.state.events.push({ kind: 'cart-add', path: ctx.path, detail: `${productId}x${quantity}` });
  return { redirect: `/cart?added=${productId}` };
}

export function handleCartUpdate(ctx: PageContext, form: URLSearchParams): RouteResult {
  const cart = cartOf(ctx.state, ctx.site.key);
  const remove = form.get('remove');
  if (remove !== null) {
    const index = Number.parseInt(remove, 10);
    if (index >= 0 && index < cart.length) cart.splice(index, 1);
  } else {
    cart.forEach((line, i) => {
      const value = form.get(`qty${i}`);
      if (value !== null) line.quantity = Math.max(0, Math.min(10, Number.parseInt(value, 10) || 0));
    });
    for (let i = cart.length - 1; i >= 0; i--) if ((cart[i]?.quantity ?? 0) === 0) cart.splice(i, 1);
  }
  ctx.state.events.push({ kind: 'cart-update', path: ctx.path });
  return { redirect: '/cart' };
}
