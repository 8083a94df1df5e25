/** The task site over plain HTTP: pages per variant, episode cookies, server-side validation,
 * store prerequisites, and the state rewards are read from. */
import { EPISODE_COOKIE, generateCatalog, startTaskSite, type TaskSite } from '@chimera/worlds/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let site: TaskSite;

beforeAll(async () => {
  site = await startTaskSite();
});

afterAll(async () => {
  await site?.close();
});

async function request(path: string, episode: string, form?: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form ?? {})) for (const value of [v].flat()) body.append(k, value);
  const response = await fetch(`${site.origin}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { cookie: `${EPISODE_COOKIE}=${episode}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form ? body : undefined,
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

const shipping = {
  name: 'Ann Lee',
  email: 'ann@example.org',
  address: '1 Elm Street',
  city: 'Bergen',
  country: 'Norway',
};

describe('task site', () => {
  it('serves a brand per variant and gives a cookie-less visitor an episode of their own', async () => {
    const response = await fetch(`${site.origin}/northwind/`);
    expect(await response.text()).toContain('Northwind Outfitters');
    expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${EPISODE_COOKIE}=`));
    expect((await fetch(`${site.origin}/nowhere/`)).status).toBe(404);
  });

  it('validates the checkout server-side and stores the order', async () => {
    const episode = site.createEpisode({
      catalogSeed: 3,
      cart: { siteKey: 'shop-5', lines: [{ productId: 'p1', quantity: 2 }] },
    });
    const bad = await request('/shop-5/checkout', episode.id, {
      ...shipping,
      email: 'not-an-email',
      action: 'confirm',
    });
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/role="alert"[\s\S]*valid email/);
    expect(episode.orders).toHaveLength(0);
    const good = await request('/shop-5/checkout', episode.id, { ...shipping, action: 'confirm' });
    expect(good.status).toBe(303);
    expect(good.location).toBe('/shop-5/order/1001');
    expect(episode.orders[0]).toMatchObject({
      lines: [{ productId: 'p1', quantity: 2 }],
      shipping,
      extras: [],
    });
    expect(episode.carts.get('shop-5')).toEqual([]);
  });

  it("rejects an order that skips the brand's prerequisites, saying why", async () => {
    // Pixel Parts requires signing in and ticking its terms box.
    const episode = site.createEpisode({
      cart: { siteKey: 'pixel', lines: [{ productId: 'p2', quantity: 1 }] },
    });
    const rejected = await request('/pixel/checkout', episode.id, { ...shipping, action: 'confirm' });
    expect(rejected.status).toBe(422);
    expect(rejected.html).toMatch(/guest checkout is not available/);
    expect(episode.events.filter((e) => e.kind === 'order-rejected')).toHaveLength(1);
    await request('/pixel/quick-sign-in', episode.id, {});
    const accepted = await request('/pixel/checkout', episode.id, {
      ...shipping,
      terms: 'on',
      action: 'confirm',
    });
    expect(accepted.status).toBe(303);
    expect(episode.orders).toHaveLength(1);
  });

  it('makes the non-confirming checkout buttons do something else (and places nothing)', async () => {
    // On Bluebird, "Proceed" only recalculates shipping; "Continue" places the order.
    const episode = site.createEpisode({
      cart: { siteKey: 'bluebird', lines: [{ productId: 'p1', quantity: 1 }] },
      presatisfied: ['sign-in'],
    });
    const recalculated = await request('/bluebird/checkout', episode.id, {
      ...shipping,
      action: 'recalculate',
    });
    expect(recalculated.html).toContain('Shipping recalculated');
    expect(recalculated.html).toMatch(/value="recalculate" formnovalidate>Proceed</);
    expect(episode.orders).toHaveLength(0);
    expect(recalculated.html).toMatch(/value="confirm">Continue</);
  });

  it('validates the support form and records the ticket and the signed-in user', async () => {
    const episode = site.createEpisode();
    const bad = await request('/shop-5/support', episode.id, { email: 'x', topic: 'Nope', message: 'short' });
    expect(bad.status).toBe(422);
    expect(bad.html.match(/<p>[^<]+<\/p>/g)?.length).toBeGreaterThanOrEqual(3);
    const login = await request('/shop-5/login?next=/support', episode.id, {
      username: 'ann',
      password: 'tulip-42',
    });
    expect(login.location).toBe('/shop-5/support');
    const sent = await request('/shop-5/support', episode.id, {
      email: 'ann@example.org',
      topic: 'Billing',
      message: 'Charged twice for order 1002.',
    });
    expect(sent.status).toBe(303);
    expect(episode.tickets[0]).toMatchObject({ user: 'ann', fields: { topic: 'Billing', urgent: 'no' } });
    const wrong = await request('/shop-5/login', episode.id, { username: 'ann', password: 'guess' });
    expect(wrong.status).toBe(401);
  });

  it('registers a warranty only with the code shown on its warranty page', async () => {
    const episode = site.createEpisode({ catalogSeed: 4 });
    const product = generateCatalog('shop-5', 4).products[2];
    const page = await request(`/shop-5/warranty/${product?.id}`, episode.id);
    expect(page.html).toContain(product?.warrantyCode);
    expect(
      (
        await request('/shop-5/warranty-register', episode.id, {
          product: product?.id ?? '',
          code: 'W00-0000',
        })
      ).status,
    ).toBe(422);
    const ok = await request('/shop-5/warranty-register', episode.id, {
      product: product?.id ?? '',
      code: product?.warrantyCode ?? '',
    });
    expect(ok.location).toBe('/shop-5/warranty-register/done');
    expect(episode.warrantyRegistrations).toHaveLength(1);
  });

  it('logs visits for navigation rewards', async () => {
    const episode = site.createEpisode();
    await request('/shop-5/product/p4', episode.id);
    expect(episode.events).toContainEqual({ kind: 'visit', path: '/shop-5/product/p4' });
  });
});
