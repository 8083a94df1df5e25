/**
 * One agent's browsing session: a browser context (fresh cookies and storage), its tabs, the short
 * element ids of what it observed, and recovery when the browser or a page crashes.
 *
 * Ids: the page script tags every interactive element with `data-chimera-ref="<doc>:<n>"`, where
 * `<doc>` is a random token of the document. The entity registry maps short ids (`e12`) to these
 * refs, one scope per tab, and starts a new version when the tab shows a new document. Acting on an
 * id checks, without waiting, that its element still exists: a stale id (navigation, re-render),
 * an id from another tab, or one never issued is a `stale_entity` error at once, never a timeout.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page, Route } from 'playwright-core';
import { EntityRegistry, EnvironmentError, StaleEntityError } from '../index';
import type { BrowserManager } from './browser-manager';
import type { OriginAllowlist } from './origin-allowlist';
import { type PageObservation, type SummarizeOptions, summarizePage, type TabInfo } from './page-observation';
import {
  INIT_SCRIPT,
  PAGE_SCRIPT,
  type PageScriptOptions,
  type RawPageSnapshot,
  TAKE_INVALID_SCRIPT,
} from './page-script';

export interface BrowserSessionOptions {
  manager: BrowserManager;
  allowlist: OriginAllowlist;
  contextOptions?: BrowserContextOptions;
  /** Runs on the new context at start and again after every crash recovery (cookies, extra routes). */
  prepareContext?: (context: BrowserContext) => Promise<void>;
  /** URL the first tab opens (must be on the allowlist); default about:blank. */
  startUrl?: string;
  /** Longest wait for an element to become actionable (default 5,000 ms). */
  actionTimeoutMs?: number;
  /** Longest wait for a navigation (default 15,000 ms). */
  navigationTimeoutMs?: number;
  summarize?: SummarizeOptions;
  pageScript?: Partial<PageScriptOptions>;
}

/** What an action reports back (the next observation shows the page itself). */
export interface ActionResult {
  url: string;
  tab: number;
  navigated: boolean;
  openedTab?: number;
  /** Blocked form submits and refused navigations caused by this action. */
  blocked?: string[];
}

/** What the entity registry keeps for an element id. */
interface ElementEntry {
  ref: string;
  newTab: boolean;
}

interface TabState {
  tab: number;
  page: Page;
  lastUrl: string;
  doc?: string;
  pendingNavigations: number;
  loading: boolean;
  navigations: number;
  crashed: boolean;
}

const DEFAULT_SCRIPT_OPTIONS: PageScriptOptions = {
  maxNameChars: 80,
  maxOptions: 15,
  maxTableRows: 40,
  repeatThreshold: 5,
};

const CRASH_PATTERN =
  /Target page, context or browser has been closed|Browser has been closed|browser has disconnected|Target crashed|Page crashed|Target closed|has been closed/i;

export class BrowserSession {
  readonly registry = new EntityRegistry();
  readonly #options: BrowserSessionOptions;
  readonly #tabs = new Map<number, TabState>();
  readonly #byPage = new Map<Page, TabState>();
  #context!: BrowserContext;
  #generation = 0;
  #active = 1;
  #nextTab = 1;
  #events: string[] = [];
  #actionBlocks: string[] | undefined;
  #closed = false;
  #disconnected = false;
  /** Pages this session is creating itself (not popups). */
  #creatingPages = 0;
  /** The last allowlisted URL any tab showed (where recovery reopens when no tab is left). */
  #lastUrl = 'about:blank';
  /** Cookies as of the last action, restored into the context that replaces a crashed one. */
  #cookies: Awaited<ReturnType<BrowserContext['cookies']>> = [];
  #reservedNumber: number | undefined;
  /** The agent's final answer, once given. */
  answer: string | undefined;

  private constructor(options: BrowserSessionOptions) {
    this.#options = options;
  }

  static async open(options: BrowserSessionOptions): Promise<BrowserSession> {
    const session = new BrowserSession(options);
    await session.#createContext([options.startUrl ?? 'about:blank'], 1);
    return session;
  }

  get allowlist(): OriginAllowlist {
    return this.#options.allowlist;
  }

  get context(): BrowserContext {
    return this.#context;
  }

  get activeTab(): number {
    return this.#active;
  }

  /** The active tab's page (for callers that need raw Playwright access, e.g. tests). */
  get page(): Page {
    return this.#tab().page;
  }

  /** Something worth telling the agent in the next observation. */
  note(event: string): void {
    this.#events.push(event);
    this.#actionBlocks?.push(event);
  }

  // ---------------------------------------------------------------- observation

  async observe(): Promise<PageObservation> {
    await this.#ensureAlive(false);
    const tab = this.#tab();
    const raw = await this.#snapshot(tab);
    const scope = scopeOf(tab.tab);
    if (raw.doc !== tab.doc) {
      if (tab.doc !== undefined) this.registry.newVersion(scope);
      tab.doc = raw.doc;
    }
    const tabs: TabInfo[] = [];
    for (const t of this.#tabs.values()) {
      const title = t.tab === tab.tab ? raw.title : await t.page.title().catch(() => '');
      tabs.push({ tab: t.tab, title, url: t.page.url(), active: t.tab === tab.tab });
    }
    const events = this.#events.splice(0);
    const opensTab = new Set(raw.elements.filter((e) => e.newTab).map((e) => e.ref));
    return summarizePage(
      raw,
      (ref) => this.registry.assign(scope, ref, { ref, newTab: opensTab.has(ref) } satisfies ElementEntry),
      { tab: tab.tab, tabs, events },
      this.#options.summarize,
    );
  }

  async #snapshot(tab: TabState): Promise<RawPageSnapshot> {
    const script = `(${PAGE_SCRIPT})(${JSON.stringify({ ...DEFAULT_SCRIPT_OPTIONS, ...this.#options.pageScript })})`;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await tab.page.evaluate(script)) as RawPageSnapshot;
      } catch (error) {
        // A navigation replaced the document mid-walk: wait for the new one and walk again.
        if (attempt >= 3 || !/Execution context was destroyed|navigat/i.test(String(error)))
          throw this.#translate(error, 'observe');
        await tab.page
          .waitForLoadState('domcontentloaded', { timeout: this.#navTimeout })
          .catch(() => undefined);
      }
    }
  }

  // ---------------------------------------------------------------- elements

  /** The element behind an id on the active tab; a clear error at once when it is gone. */
  async element(id: string): Promise<Locator> {
    return (await this.elementEntry(id)).locator;
  }

  /** The element behind an id and what the observation knew of it (does it open a new tab?). */
  async elementEntry(id: string): Promise<{ locator: Locator; newTab: boolean }> {
    await this.#ensureAlive(true, `use ${id}`);
    const tab = this.#tab();
    const scope = scopeOf(tab.tab);
    const resolution = this.registry.tryResolve(scope, id);
    if (!resolution.ok) {
      const error = resolution.error;
      if (error.reason === 'other_scope') {
        const owner = String(error.details?.owner ?? '').replace('tab', '');
        throw new StaleEntityError(
          id,
          scope,
          'other_scope',
          `${id} belongs to tab ${owner}, not the active tab ${tab.tab}. Use switch_tab ${owner} first, or an id from this tab's observation.`,
          { tab: Number(owner), activeTab: tab.tab },
        );
      }
      if (error.reason === 'unknown') {
        throw new StaleEntityError(
          id,
          scope,
          'unknown',
          `${id} is not an element id from this session. Use an id from the latest observation.`,
        );
      }
      throw new StaleEntityError(
        id,
        scope,
        'stale',
        `${id} is stale: the page in tab ${tab.tab} has changed since it was observed. Observe again and use the new ids.`,
      );
    }
    const entry = resolution.value as ElementEntry;
    const locator = tab.page.locator(`[data-chimera-ref="${entry.ref}"]`);
    let count: number;
    try {
      count = await locator.count();
    } catch (error) {
      // The browser may have died since the last check: recover and say so.
      throw await this.#failure(error, `use ${id}`);
    }
    if (count === 0) {
      throw new StaleEntityError(
        id,
        scope,
        'stale',
        `${id} is no longer on the page (it was re-rendered or the page navigated since it was observed). Observe again and use the new ids.`,
      );
    }
    return { locator: locator.first(), newTab: entry.newTab };
  }

  // ---------------------------------------------------------------- actions

  /**
   * Runs an action on the active tab, waits for any navigation it started, and reports blocked
   * submits and refused navigations. A crash during it becomes an EnvironmentError after recovery.
   */
  async act(
    name: string,
    action: (page: Page) => Promise<unknown>,
    options: {
      /** Could start a navigation or a form submit (clicks, Enter); default true. */
      mayNavigate?: boolean;
      /** Will open a new tab (a target=_blank link): wait for it. */
      opensTab?: boolean;
    } = {},
  ): Promise<ActionResult> {
    await this.#ensureAlive(true, name);
    const tab = this.#tab();
    const mayNavigate = options.mayNavigate ?? true;
    const navigationsBefore = tab.navigations;
    const tabsBefore = new Set(this.#tabs.keys());
    this.#actionBlocks = [];
    try {
      const popup = options.opensTab
        ? tab.page.waitForEvent('popup', { timeout: this.#navTimeout }).catch(() => undefined)
        : undefined;
      await action(tab.page);
      if (popup) {
        const page = await popup;
        if (page) this.#adopt(page);
      }
      await this.#settle(tab, mayNavigate);
      const opened = [...this.#tabs.keys()].find((n) => !tabsBefore.has(n));
      if (opened !== undefined) await this.#settle(this.#tabs.get(opened) as TabState, false);
      if (mayNavigate) await this.#collectInvalid(tab);
      const navigated = tab.navigations !== navigationsBefore;
      // Cookies are what a restarted browser needs to resume the same server-side session; they
      // change with responses, so a snapshot after each navigation is enough.
      if (navigated || opened !== undefined || this.#cookies.length === 0) {
        this.#cookies = await this.#context.cookies().catch(() => this.#cookies);
      }
      const blocked = this.#actionBlocks;
      const result: ActionResult = { url: this.#tab().page.url(), tab: this.#active, navigated };
      if (opened !== undefined) result.openedTab = opened;
      if (blocked.length > 0) result.blocked = blocked;
      return result;
    } catch (error) {
      throw await this.#failure(error, name);
    } finally {
      this.#actionBlocks = undefined;
    }
  }

  /** Navigates the active tab to an allowlisted URL. */
  async navigate(url: string): Promise<ActionResult> {
    const verdict = this.allowlist.check(url);
    if (!verdict.allowed)
      throw new EnvironmentError(`Navigation refused: ${verdict.reason}.`, { details: { url } });
    return this.act('navigate', async (page) => {
      await page.goto(verdict.url.href, { waitUntil: 'domcontentloaded', timeout: this.#navTimeout });
    });
  }

  async openTab(url?: string): Promise<ActionResult> {
    await this.#ensureAlive(true, 'open_tab');
    if (url !== undefined) {
      const verdict = this.allowlist.check(url);
      if (!verdict.allowed)
        throw new EnvironmentError(`Navigation refused: ${verdict.reason}.`, { details: { url } });
    }
    try {
      const page = await this.#newPage(this.#context);
      const tab = this.#register(page);
      this.#active = tab.tab;
      if (url !== undefined)
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.#navTimeout });
      return { url: page.url(), tab: tab.tab, navigated: url !== undefined, openedTab: tab.tab };
    } catch (error) {
      throw await this.#failure(error, 'open_tab');
    }
  }

  async switchTab(tab: number): Promise<ActionResult> {
    const state = this.#tabs.get(tab);
    if (!state)
      throw new EnvironmentError(`There is no tab ${tab}; open tabs: ${[...this.#tabs.keys()].join(', ')}.`);
    this.#active = tab;
    await state.page.bringToFront().catch(() => undefined);
    return { url: state.page.url(), tab, navigated: false };
  }

  async closeTab(tab = this.#active): Promise<ActionResult> {
    const state = this.#tabs.get(tab);
    if (!state)
      throw new EnvironmentError(`There is no tab ${tab}; open tabs: ${[...this.#tabs.keys()].join(', ')}.`);
    if (this.#tabs.size === 1)
      throw new EnvironmentError('This is the last open tab; navigate instead of closing it.');
    this.#forget(state);
    await state.page.close().catch(() => undefined);
    if (this.#active === tab) this.#active = Math.max(...this.#tabs.keys());
    const active = this.#tab();
    return { url: active.page.url(), tab: active.tab, navigated: false };
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Replaces a crashed browser or page: a new context (prepared again), the same tab numbers at
   * their last URLs. Every id becomes stale. Server-side state (carts, sign-ins) survives.
   */
  async recover(reason = 'crashed'): Promise<void> {
    const tabs = [...this.#tabs.values()].sort((a, b) => a.tab - b.tab);
    const urls = tabs.map((t) => ({ tab: t.tab, url: t.lastUrl }));
    if (urls.length === 0) urls.push({ tab: this.#active, url: this.#lastUrl });
    for (const t of tabs) this.registry.clear(scopeOf(t.tab));
    this.#tabs.clear();
    this.#byPage.clear();
    const oldContext = this.#context;
    await oldContext?.close().catch(() => undefined);
    if (!this.#options.manager.isConnected) await this.#options.manager.restart(this.#generation);
    const active = this.#active;
    await this.#createContext(
      urls.map((u) => u.url),
      urls[0]?.tab ?? 1,
      urls.map((u) => u.tab),
    );
    this.#active = this.#tabs.has(active) ? active : (urls[0]?.tab ?? 1);
    this.note(
      `the browser ${reason} and was restarted; tabs reopened at their last URLs (element ids changed)`,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#context?.close().catch(() => undefined);
  }

  // ---------------------------------------------------------------- internals

  get #navTimeout(): number {
    return this.#options.navigationTimeoutMs ?? 15_000;
  }

  get actionTimeoutMs(): number {
    return this.#options.actionTimeoutMs ?? 5_000;
  }

  #tab(): TabState {
    const tab = this.#tabs.get(this.#active) ?? [...this.#tabs.values()].pop();
    if (!tab) throw new EnvironmentError('No tab is open; use open_tab.');
    this.#active = tab.tab;
    return tab;
  }

  async #createContext(urls: string[], firstTab: number, numbers?: number[]): Promise<void> {
    const manager = this.#options.manager;
    const browser: Browser = await manager.browser();
    this.#generation = manager.generation;
    this.#disconnected = false;
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      ...this.#options.contextOptions,
    });
    this.#context = context;
    browser.once('disconnected', () => {
      if (this.#context === context) this.#disconnected = true;
    });
    context.setDefaultTimeout(this.actionTimeoutMs);
    context.setDefaultNavigationTimeout(this.#navTimeout);
    await context.addInitScript({ content: INIT_SCRIPT });
    await context.route('**/*', (route) => this.#filter(route));
    context.on('page', (page) => {
      if (this.#byPage.has(page) || this.#context !== context) return;
      if (this.#creatingPages === 0) this.#adopt(page);
      else this.#register(page);
    });
    if (this.#cookies.length > 0) await context.addCookies(this.#cookies).catch(() => undefined);
    await this.#options.prepareContext?.(context);
    this.#nextTab = Math.max(this.#nextTab, firstTab);
    for (let i = 0; i < urls.length; i++) {
      const page = await this.#newPage(context, numbers?.[i]);
      const tab = this.#register(page, numbers?.[i]);
      const url = urls[i] ?? 'about:blank';
      if (url !== 'about:blank' && this.allowlist.check(url).allowed) {
        await page
          .goto(url, { waitUntil: 'domcontentloaded', timeout: this.#navTimeout })
          .catch(() => undefined);
      }
      tab.lastUrl = url;
    }
    this.#active = numbers?.[0] ?? firstTab;
  }

  /** A tab the page opened (a target=_blank link, window.open): the agent follows it. */
  #adopt(page: Page): void {
    if (this.#byPage.has(page)) return;
    const tab = this.#register(page);
    this.#active = tab.tab;
    this.note(`a link opened tab ${tab.tab}; it is now the active tab`);
  }

  async #newPage(context: BrowserContext, number?: number): Promise<Page> {
    this.#creatingPages++;
    this.#reservedNumber = number;
    try {
      return await context.newPage();
    } finally {
      this.#creatingPages--;
      this.#reservedNumber = undefined;
    }
  }

  #register(page: Page, number?: number): TabState {
    const existing = this.#byPage.get(page);
    if (existing) return existing;
    const tabNumber = number ?? this.#reservedNumber ?? this.#nextTab;
    this.#nextTab = Math.max(this.#nextTab, tabNumber + 1);
    const tab: TabState = {
      tab: tabNumber,
      page,
      lastUrl: page.url(),
      pendingNavigations: 0,
      loading: false,
      navigations: 0,
      crashed: false,
    };
    this.#tabs.set(tabNumber, tab);
    this.#byPage.set(page, tab);
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) tab.pendingNavigations++;
    });
    const done = (request: import('playwright-core').Request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
        tab.pendingNavigations = Math.max(0, tab.pendingNavigations - 1);
      }
    };
    page.on('requestfinished', done);
    page.on('requestfailed', done);
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      tab.navigations++;
      tab.loading = true;
      const url = frame.url();
      if (this.allowlist.check(url).allowed) {
        tab.lastUrl = url;
        this.#lastUrl = url;
      }
    });
    page.on('domcontentloaded', () => {
      tab.loading = false;
    });
    page.on('crash', () => {
      tab.crashed = true;
    });
    page.on('close', () => {
      // Closed by the page itself (window.close()), or because the browser went away: a crash keeps
      // the tab for recovery. The browser's 'disconnected' event can come after the pages' 'close',
      // so decide a moment later.
      setTimeout(() => {
        const crashed = this.#disconnected || !this.#options.manager.isConnected || tab.crashed;
        if (!crashed && !this.#closed && this.#tabs.get(tab.tab)?.page === page) this.#forget(tab);
      }, 200).unref?.();
    });
    return tab;
  }

  #forget(tab: TabState): void {
    this.#tabs.delete(tab.tab);
    this.#byPage.delete(tab.page);
    this.registry.clear(scopeOf(tab.tab));
  }

  async #filter(route: Route): Promise<void> {
    const request = route.request();
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:') || this.allowlist.check(url).allowed) {
      await route.continue().catch(() => undefined);
      return;
    }
    if (request.isNavigationRequest()) {
      this.note(
        `navigation to ${url.slice(0, 120)} was refused: ${this.allowlist.check(url).allowed ? '' : 'its origin is not on the allowlist'}`,
      );
    }
    await route.abort('blockedbyclient').catch(() => undefined);
  }

  /** Waits until a navigation the action started (if any) has loaded its new document. */
  async #settle(tab: TabState, mayNavigate: boolean): Promise<void> {
    // A click's navigation (or form submit) starts a few milliseconds after the click resolves.
    await sleep(mayNavigate ? 60 : 5);
    const deadline = Date.now() + this.#navTimeout;
    while ((tab.pendingNavigations > 0 || tab.loading) && Date.now() < deadline && !tab.page.isClosed()) {
      await sleep(25);
    }
    if (tab.page.url().startsWith('chrome-error://')) {
      // A refused navigation leaves Chromium's error page: return to where the agent was.
      await tab.page
        .goBack({ waitUntil: 'domcontentloaded', timeout: this.#navTimeout })
        .catch(() => undefined);
      if (tab.page.url().startsWith('chrome-error://') && tab.lastUrl.startsWith('http')) {
        await tab.page.goto(tab.lastUrl, { waitUntil: 'domcontentloaded' }).catch(() => undefined);
      }
    }
  }

  async #collectInvalid(tab: TabState): Promise<void> {
    if (tab.page.isClosed()) return;
    const invalid = (await tab.page.evaluate(TAKE_INVALID_SCRIPT).catch(() => [])) as {
      field: string;
      message: string;
    }[];
    if (invalid.length === 0) return;
    const fields = invalid.map((i) => `"${i.field}": ${i.message}`).join('; ');
    this.note(`the form was not submitted; the browser blocked it: ${fields}`);
  }

  async #ensureAlive(strict: boolean, action = 'observe'): Promise<void> {
    if (this.#closed) throw new EnvironmentError('This browser session is closed.');
    const tab = this.#tabs.get(this.#active);
    const dead =
      this.#disconnected ||
      !this.#options.manager.isConnected ||
      this.#generation !== this.#options.manager.generation;
    if (dead || tab?.crashed || tab?.page.isClosed()) {
      await this.recover(dead ? 'crashed' : 'tab crashed');
      if (strict) {
        throw new EnvironmentError(
          `The browser had crashed; it was restarted and the tabs reopened, but "${action}" was not performed. Observe again, then retry.`,
          { details: { recovered: true } },
        );
      }
    }
  }

  async #failure(error: unknown, action: string): Promise<Error> {
    const tab = this.#tabs.get(this.#active);
    const crashed =
      this.#disconnected ||
      !this.#options.manager.isConnected ||
      tab?.crashed === true ||
      (CRASH_PATTERN.test(String(error)) && !this.#closed);
    if (crashed) {
      try {
        await this.recover('crashed');
      } catch (recoverError) {
        return new EnvironmentError(
          `The browser crashed during "${action}" and could not be restarted: ${String(recoverError).split('\n')[0]}`,
          { cause: recoverError },
        );
      }
      return new EnvironmentError(
        `The browser crashed during "${action}"; it was restarted and the tabs reopened at their last URLs. The action may not have happened: observe again, then retry.`,
        { details: { recovered: true }, cause: error },
      );
    }
    return this.#translate(error, action);
  }

  #translate(error: unknown, action: string): Error {
    if (StaleEntityError.isInstance(error) || EnvironmentError.isInstance(error)) return error as Error;
    const message = error instanceof Error ? error.message : String(error);
    const first = message.split('\n')[0] ?? message;
    const hint = /Timeout/i.test(first) ? detailFromCallLog(message) : '';
    return new EnvironmentError(`"${action}" failed: ${first}${hint ? ` (${hint})` : ''}`, { cause: error });
  }
}

function scopeOf(tab: number): string {
  return `tab${tab}`;
}

/** The most telling line of Playwright's call log ("element is not enabled", "element is not visible"). */
function detailFromCallLog(message: string): string {
  const lines = message.split('\n').map((l) => l.trim());
  const reason = [...lines]
    .reverse()
    .find((l) => /element is|not visible|not enabled|intercepts pointer|not editable|detached/.test(l));
  return reason ? reason.replace(/^-\s*/, '') : '';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
