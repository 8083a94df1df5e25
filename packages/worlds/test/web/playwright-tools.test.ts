/**
 * The Playwright adapter against the task site with real Chromium: every tool, stale and
 * tab-scoped ids, the origin allowlist (including a prompt-injection link on a page), blocked
 * form submits, and recovery from a killed browser. One browser for the whole file.
 */
import { type DispatchResult, ToolAbstractionLayer, type ToolCall, ToolRegistry } from '@chimera/toolbelt';
import {
  BrowserManager,
  createPlaywrightToolset,
  type PlaywrightToolset,
} from '@chimera/toolbelt/playwright';
import { EPISODE_COOKIE, INJECTION_URL, startTaskSite, type TaskSite } from '@chimera/worlds/web';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let site: TaskSite;
let manager: BrowserManager;
let toolset: PlaywrightToolset | undefined;

beforeAll(async () => {
  site = await startTaskSite();
  manager = new BrowserManager();
  await manager.browser();
});

afterEach(async () => {
  await toolset?.close();
  toolset = undefined;
});

afterAll(async () => {
  await manager?.close();
  await site?.close();
});

async function open(path: string, guard = true) {
  toolset = await createPlaywrightToolset({
    browser: manager,
    allowlist: [site.origin],
    startUrl: `${site.origin}${path}`,
  });
  const tal = new ToolAbstractionLayer({
    registry: new ToolRegistry(toolset.tools),
    guards: guard ? [toolset.guard] : [],
  });
  const ts = toolset;
  const call = (tool: string, args: Record<string, unknown> = {}): Promise<DispatchResult> =>
    tal.dispatch({ tool, args } as ToolCall);
  /** The id of the first element with this name (and role), from a fresh observation. */
  const id = async (name: string, role?: string) => {
    const observation = await ts.observe();
    const el = observation.elements.find((e) => e.name === name && (role === undefined || e.role === role));
    if (!el) throw new Error(`no element "${name}" in\n${observation.rendered}`);
    return el.id;
  };
  const episode = async () => {
    const cookie = (await ts.session.context.cookies()).find((c) => c.name === EPISODE_COOKIE);
    return site.episode(cookie?.value ?? '');
  };
  return { tal, call, id, ts, episode };
}

function ok(result: DispatchResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`${result.tool} failed: ${result.error.code} ${result.error.message}`);
  return result.value as Record<string, unknown>;
}

describe('Playwright tools on the task site', () => {
  it('work as a standalone toolset on any allowlisted site', async () => {
    // #region playwright-toolset
    const web = await createPlaywrightToolset({
      allowlist: [site.origin], // the only origin the agent may visit; other sites and schemes are refused
      browser: manager, // a shared BrowserManager, a Browser, or launch options (never downloads one)
      startUrl: `${site.origin}/shop-1/`,
    });
    const tal = new ToolAbstractionLayer({ registry: new ToolRegistry(web.tools), guards: [web.guard] });
    const page = await web.observe(); // page.rendered: compact text; page.elements: ids, roles, names, state
    const search = page.elements.find((e) => e.role === 'searchbox');
    const result = await tal.dispatch({ tool: 'fill', args: { id: search?.id, text: 'lamp', submit: true } });
    // #endregion
    try {
      expect(result.ok).toBe(true);
      expect(web.session.page.url()).toBe(`${site.origin}/shop-1/search?q=lamp`);
    } finally {
      await web.close();
    }
  });

  it('navigates, clicks, searches, types and presses keys, goes back and forward', async () => {
    const { call, id, ts } = await open('/shop-7/');
    expect((await ts.observe()).rendered).toMatch(/^Home - .+ \| http/);
    ok(await call('navigate', { url: `${site.origin}/shop-7/catalog` }));
    expect(ts.session.page.url()).toMatch(/\/shop-7\/catalog$/);
    const home = ok(await call('click', { id: await id('Home', 'link') }));
    expect(home.navigated).toBe(true);
    ok(await call('fill', { id: await id('Search products'), text: 'a', submit: true }));
    expect(ts.session.page.url()).toContain('/search?q=a');
    ok(await call('type', { id: await id('Search products'), text: 'b' }));
    ok(await call('press_key', { key: 'Enter' }));
    expect(ts.session.page.url()).toContain('q=ab');
    ok(await call('back'));
    expect(ts.session.page.url()).toContain('q=a');
    ok(await call('forward'));
    expect(ts.session.page.url()).toContain('q=ab');
    ok(await call('scroll', { direction: 'bottom' }));
    expect((await ts.observe()).scroll.y).toBeGreaterThanOrEqual(0);
    ok(await call('scroll', { id: await id('Home', 'link') }));
    ok(await call('scroll', { direction: 'top' }));
  });

  it('fills, selects, checks and unchecks, and the server receives the form', async () => {
    const { call, id, ts, episode } = await open('/shop-7/support');
    const labels = (await ts.observe()).elements;
    const email = labels.find((e) => e.role === 'textbox' && e.required)?.id as string;
    ok(await call('fill', { id: email, text: 'ann@example.org' }));
    const topic = labels.find((e) => e.role === 'combobox')?.id as string;
    ok(await call('select_option', { id: topic, option: 'returns' }));
    const wrongOption = await call('select_option', { id: topic, option: 'Refunds' });
    expect(wrongOption.ok).toBe(false);
    if (!wrongOption.ok) expect(wrongOption.error.message).toContain('"Returns"');
    const urgent = labels.find((e) => e.role === 'checkbox')?.id as string;
    ok(await call('check', { id: urgent }));
    ok(await call('uncheck', { id: urgent }));
    ok(await call('check', { id: urgent }));
    const message = labels.find((e) => e.role === 'textbox' && e.required && e.id !== email)?.id as string;
    ok(await call('fill', { id: message, text: 'The lid is cracked on arrival.' }));
    const observed = await ts.observe();
    expect(observed.elements.find((e) => e.id === topic)?.value).toBe('Returns');
    expect(observed.elements.find((e) => e.id === urgent)?.checked).toBe(true);
    const sent = ok(await call('click', { id: await id('Send message') }));
    expect(sent.navigated).toBe(true);
    const tickets = (await episode())?.tickets ?? [];
    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.fields).toMatchObject({ email: 'ann@example.org', topic: 'Returns', urgent: 'yes' });
  });

  it('reports a submit the browser blocked (required field empty) and sends nothing', async () => {
    const { call, id, ts, episode } = await open('/shop-7/support');
    const result = ok(await call('click', { id: await id('Send message') }));
    expect(result.navigated).toBe(false);
    expect(String(result.blocked)).toMatch(/browser blocked it/);
    expect((await ts.observe()).events.join('\n')).toMatch(/form was not submitted/);
    expect((await episode())?.tickets ?? []).toHaveLength(0);
  });

  it('reads text and tables, waits for text, answers, and takes size-capped screenshots', async () => {
    const { call, ts } = await open('/shop-7/reports');
    const table = ok(await call('extract_table', { caption: 'sales' }));
    expect((table.rows as string[][])[0]).toEqual(['Region', 'Q1', 'Q2', 'Q3', 'Q4']);
    expect(table.tableCount).toBe(2);
    expect((await call('extract_table', { caption: 'nothing' })).ok).toBe(false);
    ok(await call('navigate', { url: `${site.origin}/shop-7/deals` }));
    const text = ok(await call('extract_text', { contains: 'pickup code' }));
    expect(text.text).toMatch(/PK-\d{4}/);
    ok(await call('navigate', { url: `${site.origin}/shop-7/live` }));
    const waited = ok(await call('wait_for_text', { text: 'Stock check complete', timeoutMs: 10_000 }));
    expect(waited.found).toBe(true);
    const missing = await call('wait_for_text', { text: 'never shown', timeoutMs: 300 });
    expect(missing.ok).toBe(false);
    const observed = ok(await call('observe'));
    expect(observed.text).toMatch(/Reference code: LS-\d{4}/);
    const shot = ok(await call('screenshot'));
    const bytes = Buffer.from(String(shot.base64), 'base64');
    expect(bytes[0]).toBe(0xff);
    expect(bytes[1]).toBe(0xd8);
    expect(bytes.byteLength).toBeLessThanOrEqual(200_000);
    const small = await ts.screenshot({ maxBytes: 30_000, fullPage: true });
    expect(small.byteLength).toBeLessThanOrEqual(30_000);
    ok(await call('answer', { text: 'LS-0000' }));
    expect(ts.session.answer).toBe('LS-0000');
  });

  it('opens, switches and closes tabs; a link with target=_blank opens a tab that becomes active', async () => {
    const { call, id, ts } = await open('/shop-7/product/p2');
    const opened = ok(await call('click', { id: await id('Size guide') }));
    expect(opened.openedTab).toBe(2);
    const guide = await ts.observe();
    expect(guide.tab).toBe(2);
    expect(guide.tables[0]?.rows[0]).toEqual(['Size', 'Chest (cm)', 'Length (cm)']);
    expect(guide.rendered).toMatch(/tabs: \[1\] .+ · \[2\]\* Size guide/);
    ok(await call('open_tab', { url: `${site.origin}/shop-7/reports` }));
    expect((await ts.observe()).tab).toBe(3);
    ok(await call('switch_tab', { tab: 1 }));
    expect((await ts.observe()).url).toContain('/product/p2');
    ok(await call('close_tab', { tab: 2 }));
    expect((await ts.observe()).tabs.map((t) => t.tab)).toEqual([1, 3]);
    expect((await call('switch_tab', { tab: 2 })).ok).toBe(false);
    ok(await call('close_tab'));
    expect((await call('close_tab')).ok).toBe(false);
  });
});

describe('element ids', () => {
  it('a stale id (after navigation or a re-render) is a fast stale_entity error, never a timeout', async () => {
    const { call, id, ts } = await open('/shop-7/');
    const catalog = await id('Catalog');
    ok(await call('click', { id: await id('Deals') }));
    const afterNavigation = await call('click', { id: catalog });
    expect(afterNavigation.ok).toBe(false);
    if (!afterNavigation.ok) expect(afterNavigation.error.code).toBe('stale_entity');

    ok(await call('navigate', { url: `${site.origin}/shop-7/live` }));
    ok(await call('wait_for_text', { text: 'Stock check complete', timeoutMs: 10_000 }));
    const observed = await ts.observe();
    const reserve = observed.elements.find((e) => e.name.startsWith('Reserve '))?.id as string;
    const shuffle = observed.elements.find((e) => e.name === 'Shuffle list')?.id as string;
    ok(await call('click', { id: shuffle }));
    // The list was rebuilt with new nodes: the old Reserve button is gone.
    const afterRerender = await call('click', { id: reserve });
    expect(afterRerender.ok).toBe(false);
    if (!afterRerender.ok) {
      expect(afterRerender.error.code).toBe('stale_entity');
      expect(afterRerender.error.message).toMatch(/no longer on the page/);
    }
    // The button that survived the re-render keeps its id and still works.
    ok(await call('click', { id: shuffle }));
    expect((await call('click', { id: 'e99999' })).ok).toBe(false);
  });

  it('an id from another tab is refused, not silently applied to the active tab', async () => {
    const { call, id } = await open('/shop-7/');
    const tabOneLink = await id('Catalog');
    ok(await call('open_tab', { url: `${site.origin}/shop-7/catalog` }));
    await id('Catalog');
    const result = await call('click', { id: tabOneLink });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('stale_entity');
      expect(result.error.message).toMatch(/belongs to tab 1.*switch_tab 1/);
    }
    ok(await call('switch_tab', { tab: 1 }));
    ok(await call('click', { id: tabOneLink }));
  });
});

describe('origin allowlist', () => {
  it('refuses other origins and other schemes, through the guard and in the tool itself', async () => {
    for (const guarded of [true, false]) {
      const { call } = await open('/shop-7/', guarded);
      for (const url of [
        'http://evil.example/',
        'file:///etc/passwd',
        'chrome://version',
        'javascript:alert(1)',
        'about:blank',
      ]) {
        const result = await call('navigate', { url });
        expect(result.ok, url).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe(guarded ? 'permission_denied' : 'environment_error');
          expect(result.error.message).toMatch(/refused/i);
        }
      }
      expect((await call('open_tab', { url: 'http://evil.example/' })).ok).toBe(false);
      await toolset?.close();
      toolset = undefined;
    }
  });

  it('a prompt injection on a page (text and link) cannot take the agent off the allowlist', async () => {
    const { call, id, ts } = await open('/shop-7/deals');
    const observed = await ts.observe();
    // The page tells the agent to go to an off-site URL; the agent's navigation there is refused.
    expect(observed.rendered).toContain(INJECTION_URL);
    const told = await call('navigate', { url: `${INJECTION_URL}?session=1` });
    expect(told.ok).toBe(false);
    // The link is marked as off-site in the observation, and clicking it goes nowhere.
    expect(observed.rendered).toMatch(/Verify your account here ↗evil\.example/);
    const clicked = ok(await call('click', { id: await id('Verify your account here') }));
    expect(String(clicked.blocked)).toMatch(/evil\.example.*refused/);
    expect(ts.session.page.url()).toBe(`${site.origin}/shop-7/deals`);
    expect((await ts.observe()).events.join('\n')).toMatch(/refused/);
  });
});

describe('crash recovery', () => {
  it('a killed browser fails the step with a clear error, restarts, and the session goes on', async () => {
    const { call, id, ts, episode } = await open('/shop-7/product/p3');
    ok(await call('click', { id: await id('Add to cart') }));
    const pid = await manager.pid();
    expect(pid).toBeGreaterThan(0);
    const gone = new Promise(
      (resolve) => void manager.browser().then((b) => b.once('disconnected', resolve)),
    );
    process.kill(pid as number, 'SIGKILL');
    await gone;
    const failed = await call('click', { id: 'e1' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.code).toBe('environment_error');
      expect(failed.error.message).toMatch(/crashed.*restarted/);
    }
    expect(await manager.pid()).not.toBe(pid);
    const after = await ts.observe();
    expect(after.url).toBe(`${site.origin}/shop-7/cart?added=p3`);
    expect(after.events.join('\n')).toMatch(/restarted/);
    // Server-side state survived: the cart still holds the product.
    expect((await episode())?.carts.get('shop-7')).toEqual([{ productId: 'p3', quantity: 1 }]);
    ok(await call('click', { id: await id('Go to checkout') }));
    expect(ts.session.page.url()).toContain('/shop-7/checkout');
  });

  it('a crashed page is reopened the same way', async () => {
    const { call, id, ts } = await open('/shop-7/catalog');
    // Crash the renderer from outside the agent's tools (the allowlist would refuse chrome: URLs).
    const page = ts.session.page;
    await Promise.all([page.waitForEvent('crash'), page.goto('chrome://crash').catch(() => undefined)]);
    const failed = await call('click', { id: 'e1' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.message).toMatch(/crashed.*restarted/);
    expect((await ts.observe()).url).toBe(`${site.origin}/shop-7/catalog`);
    ok(await call('click', { id: await id('Home', 'link') }));
  });
});
