/**
 * The web environment: the embedded task site on loopback plus one Chromium shared by every
 * episode (each episode gets a fresh browser context), and the web task generator.
 */
import type { Environment, TaskSpec } from '@chimera/toolbelt';
import { BrowserManager } from '@chimera/toolbelt/playwright';
import { siteVariantByKey } from './site/site-variant';
import { startTaskSite, type TaskSite } from './site/task-site-server';
import type { WebTaskSpec } from './tasks/web-task';
import { createWebTaskGenerator, type WebTaskGenerator } from './tasks/web-task-generator';
import { WebEpisodeSession } from './web-session';
import { WebWorldError } from './web-world-error';

export interface WebEnvironmentOptions {
  /** Chromium executable; default `$CHIMERA_CHROMIUM`, else `/usr/bin/chromium`. Never downloaded. */
  chromiumPath?: string;
  /** Default true. */
  headless?: boolean;
  /**
   * When set, candidate lists are shuffled by (seed, task, step), so a policy cannot lean on the
   * position of the right candidate; unset, they stay in page order (content first).
   */
  seed?: number;
  /** Port of the task site (default: a free port on 127.0.0.1). */
  port?: number;
  /** Attach a JPEG screenshot to every observation (default false). */
  screenshots?: boolean;
  maxScreenshotBytes?: number;
  /** Longest wait for an element to become actionable (default 5,000 ms). */
  actionTimeoutMs?: number;
  /** Most candidates per observation (default 60). */
  maxCandidates?: number;
}

export interface WebEnvironment extends Environment {
  readonly generator: WebTaskGenerator;
  readonly site: TaskSite;
  readonly browser: BrowserManager;
  start(task: TaskSpec, options?: { agentId?: string }): Promise<WebEpisodeSession>;
}

export async function createWebEnvironment(options: WebEnvironmentOptions = {}): Promise<WebEnvironment> {
  const site = await startTaskSite(options.port === undefined ? {} : { port: options.port });
  const browser = new BrowserManager({
    ...(options.chromiumPath === undefined ? {} : { executablePath: options.chromiumPath }),
    headless: options.headless ?? true,
  });
  try {
    // Launch now, so a missing Chromium is reported here rather than in the first episode.
    await browser.browser();
  } catch (error) {
    await site.close();
    throw error;
  }
  const sessions = new Set<WebEpisodeSession>();
  const generator = createWebTaskGenerator();
  let closed = false;
  return {
    name: 'web',
    generator,
    site,
    browser,
    async start(task, startOptions = {}) {
      if (closed) throw new WebWorldError('this web environment is closed');
      checkTask(task);
      const session = await WebEpisodeSession.start(task, {
        site,
        browser,
        ...(startOptions.agentId === undefined ? {} : { agentId: startOptions.agentId }),
        ...(options.screenshots === undefined ? {} : { screenshots: options.screenshots }),
        ...(options.maxScreenshotBytes === undefined
          ? {}
          : { maxScreenshotBytes: options.maxScreenshotBytes }),
        ...(options.actionTimeoutMs === undefined ? {} : { actionTimeoutMs: options.actionTimeoutMs }),
        ...(options.maxCandidates === undefined ? {} : { maxCandidates: options.maxCandidates }),
        ...(options.seed === undefined ? {} : { candidateSeed: options.seed }),
      });
      sessions.add(session);
      session.onClose(() => sessions.delete(session));
      return session;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...sessions].map((s) => s.close().catch(() => undefined)));
      await browser.close();
      await site.close();
    },
  };
}

function checkTask(task: TaskSpec): asserts task is WebTaskSpec {
  if (task.environment !== 'web') {
    throw new WebWorldError(`task ${task.id} is for the "${task.environment}" environment, not "web"`);
  }
  const params = task.params as Partial<WebTaskSpec['params']>;
  if (typeof params.site !== 'string' || siteVariantByKey(params.site) === undefined) {
    throw new WebWorldError(
      `task ${task.id} names no known site (params.site = ${JSON.stringify(params.site)})`,
    );
  }
  if (typeof params.startPath !== 'string' || !params.startPath.startsWith('/')) {
    throw new WebWorldError(`task ${task.id} has no startPath (a path such as "/checkout")`);
  }
}
