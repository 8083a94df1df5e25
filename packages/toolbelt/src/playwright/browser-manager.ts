/**
 * One Chromium for many episodes: launched once (about 0.5 s), shared by browser contexts (one per
 * episode, cheap), restarted when it crashes or is killed. Never downloads a browser: it runs the
 * executable it is given (default: Debian's `/usr/bin/chromium`, or `$CHIMERA_CHROMIUM`).
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { BrowserLaunchError } from './browser-launch-error';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const DEFAULT_CHROMIUM_ARGS: readonly string[] = ['--disable-gpu', '--disable-quic', '--disable-sync'];

export interface BrowserLaunchOptions {
  /** Chromium executable; default `$CHIMERA_CHROMIUM`, else `/usr/bin/chromium`. */
  executablePath?: string;
  /** Default true. */
  headless?: boolean;
  /** Extra command-line switches, added after the defaults. */
  args?: string[];
  /** Launch timeout in ms (default 30,000: the machines tests run on can be loaded). */
  timeoutMs?: number;
}

/** The executable the manager will run, resolving the environment override. */
export function resolveChromiumPath(explicit?: string): string {
  return explicit ?? process.env.CHIMERA_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
}

export class BrowserManager {
  readonly executablePath: string;
  readonly #options: BrowserLaunchOptions;
  #browser: Browser | undefined;
  #launching: Promise<Browser> | undefined;
  #generation = 0;
  #closed = false;
  readonly #external: boolean;

  /** Manage a browser launched on demand, or wrap one the caller launched (then it is never restarted). */
  constructor(options: BrowserLaunchOptions | { browser: Browser } = {}) {
    if ('browser' in options) {
      this.#browser = options.browser;
      this.#external = true;
      this.#options = {};
      this.executablePath = '';
      this.#generation = 1;
    } else {
      this.#options = options;
      this.#external = false;
      this.executablePath = resolveChromiumPath(options.executablePath);
    }
  }

  /** Increases by one with every (re)launch: sessions compare it to notice a restart. */
  get generation(): number {
    return this.#generation;
  }

  get isConnected(): boolean {
    return this.#browser?.isConnected() ?? false;
  }

  /** The running browser, launching it if needed (concurrent callers share one launch). */
  async browser(): Promise<Browser> {
    if (this.#closed) throw new BrowserLaunchError('this BrowserManager was closed; create a new one');
    if (this.#browser?.isConnected()) return this.#browser;
    if (this.#external) {
      throw new BrowserLaunchError(
        'the browser passed to BrowserManager is disconnected and cannot be restarted by Chimera; pass launch options instead',
      );
    }
    this.#launching ??= this.#launch().finally(() => {
      this.#launching = undefined;
    });
    return this.#launching;
  }

  /** A fresh, isolated context (cookies, storage, tabs): one per episode. */
  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const browser = await this.browser();
    return browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  }

  /**
   * Replaces a crashed or killed browser. Idempotent across sessions: when several notice the crash,
   * only the first call of a generation relaunches.
   */
  async restart(seenGeneration = this.#generation): Promise<Browser> {
    if (seenGeneration === this.#generation && !this.#external) {
      const old = this.#browser;
      this.#browser = undefined;
      await old?.close().catch(() => undefined);
    }
    return this.browser();
  }

  /** Process id of the browser (via CDP), for monitoring and for crash tests. */
  async pid(): Promise<number | undefined> {
    const browser = await this.browser();
    const cdp = await browser.newBrowserCDPSession();
    try {
      const info = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; id: number }[];
      };
      return info.processInfo.find((p) => p.type === 'browser')?.id;
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const browser = this.#browser ?? (await this.#launching?.catch(() => undefined));
    this.#browser = undefined;
    if (browser && !this.#external) await browser.close().catch(() => undefined);
  }

  async #launch(): Promise<Browser> {
    const executablePath = this.executablePath;
    if (!existsSync(executablePath)) {
      throw new BrowserLaunchError(
        `no Chromium at ${executablePath}. Install one (Debian: apt-get install chromium) or set CHIMERA_CHROMIUM ` +
          'to its path; Chimera never downloads a browser.',
      );
    }
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (cause) {
      throw new BrowserLaunchError(
        'playwright-core is not installed: add it (an optional peer dependency of @chimera/toolbelt) to use the Playwright adapter',
        { cause },
      );
    }
    try {
      const browser = await chromium.launch({
        executablePath,
        headless: this.#options.headless ?? true,
        args: [...DEFAULT_CHROMIUM_ARGS, ...(this.#options.args ?? [])],
        timeout: this.#options.timeoutMs ?? 30_000,
      });
      this.#browser = browser;
      this.#generation++;
      return browser;
    } catch (cause) {
      throw new BrowserLaunchError(
        `Chromium at ${executablePath} failed to start: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`,
        { cause },
      );
    }
  }
}
