/**
 * The embedded task website: a real multi-page store served by node:http on loopback, started
 * in-process. Every site variant lives under `/<key>/`; each browser context is one episode,
 * identified by a cookie, whose server-side state (cart, orders, tickets, sign-in, visits) the
 * reward functions read.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCartAdd, handleCartUpdate } from './cart-handler';
import { type Catalog, generateCatalog } from './catalog';
import { handleCheckout } from './checkout-handler';
import { checkoutPage, checkoutSidePage, orderPlacedPage } from './checkout-pages';
import { createEpisodeState, type EpisodeSetup, type EpisodeState } from './episode-state';
import { escapeHtml, html } from './html';
import {
  livePage,
  registeredPage,
  reportsPage,
  returnsReportPage,
  sizeGuidePage,
  warrantyPage,
  warrantyRegisterPage,
} from './info-pages';
import { renderPage } from './layout';
import { noisyPage } from './noisy-page';
import type { PageContext } from './page-context';
import {
  accountPage,
  cartPage,
  catalogPage,
  categoryPage,
  decoyListPage,
  homePage,
  productById,
  productPage,
  searchPage,
} from './shop-pages';
import { generateSiteVariant, KNOWN_SITES, siteVariantByKey } from './site-variant';
import { handleSupport } from './support-handler';
import { loginPage, SITE_USERS, supportPage, ticketPage } from './support-pages';

export const EPISODE_COOKIE = 'chimera_ep';

export interface TaskSiteOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only by default; the site is a test fixture, not a public server. */
  host?: string;
  /** Most anonymous (cookie-less) visitors kept before the oldest are forgotten. */
  maxAnonymousEpisodes?: number;
}

export interface TaskSite {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Creates an episode's server-side state; give its id to the browser as the episode cookie. */
  createEpisode(setup?: EpisodeSetup): EpisodeState;
  episode(id: string): EpisodeState | undefined;
  endEpisode(id: string): void;
  close(): Promise<void>;
}

/** What a route handler returns: a page, a redirect, or nothing (404). */
export type RouteResult = { status?: number; html: string } | { redirect: string } | undefined;

export async function startTaskSite(options: TaskSiteOptions = {}): Promise<TaskSite> {
  const episodes = new Map<string, EpisodeState>();
  const anonymous: string[] = [];
  const maxAnonymous = options.maxAnonymousEpisodes ?? 500;
  const catalogs = new Map<string, Catalog>();

  const catalogFor = (siteKey: string, seed: number) => {
    const key = `${siteKey}\u0000${seed}`;
    let catalog = catalogs.get(key);
    if (!catalog) {
      catalog = generateCatalog(siteKey, seed);
      if (catalogs.size > 2000) catalogs.clear();
      catalogs.set(key, catalog);
    }
    return catalog;
  };

  const newId = () => randomBytes(9).toString('base64url');

  const episodeOf = (req: IncomingMessage, res: ServerResponse): EpisodeState => {
    const cookie = req.headers.cookie ?? '';
    const match = new RegExp(`(?:^|;\\s*)${EPISODE_COOKIE}=([A-Za-z0-9_-]+)`).exec(cookie);
    const known = match ? episodes.get(match[1] as string) : undefined;
    if (known) return known;
    // A visitor without an episode (an SDK user browsing the site): give them one.
    const state = createEpisodeState(newId());
    episodes.set(state.id, state);
    anonymous.push(state.id);
    while (anonymous.length > maxAnonymous) episodes.delete(anonymous.shift() as string);
    res.setHeader('Set-Cookie', `${EPISODE_COOKIE}=${state.id}; Path=/; HttpOnly; SameSite=Lax`);
    return state;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/') {
      send(res, 200, directoryPage());
      return;
    }
    const [, key = '', ...rest] = url.pathname.split('/');
    const site = siteVariantByKey(key);
    if (!site) {
      send(
        res,
        404,
        `<!doctype html><title>Not found</title><h1>No such site: ${escapeHtml(key)}</h1><p><a href="/">All sites</a></p>`,
      );
      return;
    }
    const state = episodeOf(req, res);
    const path = `/${rest.join('/')}`;
    const ctx: PageContext = {
      site,
      catalog: catalogFor(site.key, state.catalogSeed),
      state,
      path,
      query: url.searchParams,
    };
    let result: RouteResult;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      result = post(ctx, form);
    } else if (req.method === 'GET' || req.method === 'HEAD') {
      state.events.push({ kind: 'visit', path: `/${site.key}${path}${url.search}` });
      result = get(ctx);
    } else {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    if (result === undefined) {
      send(
        res,
        404,
        renderPage(ctx, {
          title: 'Not found',
          body: html`<h1>Page not found</h1><p>There is no page at ${path}.</p>`,
        }),
      );
    } else if ('redirect' in result) {
      res.writeHead(303, { location: `/${site.key}${result.redirect}`, 'cache-control': 'no-store' }).end();
    } else {
      send(res, result.status ?? 200, result.html);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    origin: `http://${host}:${address.port}`,
    createEpisode(setup) {
      const state = createEpisodeState(newId(), setup);
      episodes.set(state.id, state);
      return state;
    },
    episode: (id) => episodes.get(id),
    endEpisode: (id) => {
      episodes.delete(id);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function get(ctx: PageContext): RouteResult {
  const segments = ctx.path.split('/').filter(Boolean);
  const [first = '', second = ''] = segments;
  const page = (text: string | undefined) => (text === undefined ? undefined : { html: text });
  if (segments.length === 0) return page(homePage(ctx));
  if (segments.length === 1) {
    switch (first) {
      case 'catalog':
        return page(catalogPage(ctx));
      case 'search':
        return page(searchPage(ctx));
      case 'cart':
        return page(cartPage(ctx, addedNotice(ctx)));
      case 'checkout':
        return page(checkoutPage(ctx));
      case 'account':
        return page(accountPage(ctx));
      case 'login':
        return page(loginPage(ctx));
      case 'support':
        return page(supportPage(ctx));
      case 'reports':
        return page(reportsPage(ctx));
      case 'deals':
        return page(noisyPage(ctx));
      case 'live':
        return page(liveHtml(ctx));
      case 'warranty-register':
        return page(warrantyRegisterPage(ctx));
      case 'about':
        return page(
          renderPage(ctx, {
            title: 'About',
            body: html`<h1>About ${ctx.site.brand}</h1><p>${ctx.site.tagline}.</p>`,
          }),
        );
      default:
        return undefined;
    }
  }
  if (segments.length === 2) {
    switch (first) {
      case 'category':
        return page(categoryPage(ctx, second));
      case 'product':
        return page(productPage(ctx, second));
      case 'order':
        return page(orderPlacedPage(ctx, second));
      case 'size-guide':
        return page(sizeGuidePage(ctx, second));
      case 'warranty':
        return page(warrantyPage(ctx, second));
      case 'list':
        return page(decoyListPage(ctx, second));
      case 'reports':
        return second === 'returns' ? page(returnsReportPage(ctx)) : undefined;
      case 'warranty-register':
        return second === 'done' ? page(registeredPage(ctx)) : undefined;
      case 'quote':
        return page(checkoutSidePage(ctx, 'Quote saved', `Quote ${second} was saved. Nothing was ordered.`));
      case 'saved':
        return page(
          checkoutSidePage(ctx, 'Saved for later', 'Your items were saved for later. Nothing was ordered.'),
        );
      default:
        return undefined;
    }
  }
  if (segments.length === 3 && first === 'support' && second === 'thanks') {
    return page(ticketPage(ctx, segments[2] as string));
  }
  return undefined;
}

function liveHtml(ctx: PageContext): string {
  return livePage(ctx);
}

function addedNotice(ctx: PageContext): string | undefined {
  const added = ctx.query.get('added');
  if (!added) return undefined;
  const product = productById(ctx.catalog, added);
  return product ? `Added ${product.name}.` : undefined;
}

function post(ctx: PageContext, form: URLSearchParams): RouteResult {
  const { state, site } = ctx;
  switch (ctx.path) {
    case '/cart/add':
      return handleCartAdd(ctx, form);
    case '/cart/update':
      return handleCartUpdate(ctx, form);
    case '/checkout':
      return handleCheckout(ctx, form);
    case '/quick-sign-in':
      state.signedIn = 'ann';
      state.events.push({ kind: 'sign-in', path: ctx.path, detail: 'ann' });
      return { redirect: '/checkout' };
    case '/login': {
      const username = (form.get('username') ?? '').trim();
      const password = form.get('password') ?? '';
      if (SITE_USERS[username] === undefined || SITE_USERS[username] !== password) {
        state.events.push({ kind: 'sign-in-failed', path: ctx.path, detail: username });
        return { status: 401, html: loginPage(ctx, 'Wrong username or password.', username) };
      }
      state.signedIn = username;
      state.events.push({ kind: 'sign-in', path: ctx.path, detail: username });
      const next = ctx.query.get('next') ?? '/account';
      return { redirect: /^\/[A-Za-z0-9/_-]*$/.test(next) && !next.startsWith('//') ? next : '/account' };
    }
    case '/logout':
      state.signedIn = undefined;
      return { redirect: '/account' };
    case '/support':
      return handleSupport(ctx, form);
    case '/warranty-register': {
      const productId = form.get('product') ?? '';
      const code = (form.get('code') ?? '').trim();
      const product = productById(ctx.catalog, productId);
      if (!product || code.toUpperCase() !== product.warrantyCode.toUpperCase()) {
        state.events.push({ kind: 'validation-failed', path: ctx.path, detail: 'warranty code' });
        return {
          status: 422,
          html: warrantyRegisterPage(ctx, { product: productId, code }, [
            product ? 'That code does not match this product. Check the warranty page.' : 'Unknown product.',
          ]),
        };
      }
      state.warrantyRegistrations.push({ siteKey: site.key, productId, code });
      state.events.push({ kind: 'warranty-registered', path: ctx.path, detail: productId });
      return { redirect: '/warranty-register/done' };
    }
    default:
      return undefined;
  }
}

function directoryPage(): string {
  const sites = [...KNOWN_SITES, ...[1, 2, 3].map(generateSiteVariant)];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chimera task sites</title></head><body><main><h1>Task sites</h1><ul>${sites
    .map((s) => `<li><a href="/${s.key}/">${escapeHtml(s.brand)}</a></li>`)
    .join('')}</ul></main></body></html>`;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
