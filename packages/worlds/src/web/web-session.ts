/**
 * One episode on the task site: a fresh browser context (with the episode cookie), a TAL over the
 * Playwright tools with the allowlist guard, observations that carry the episode's state (site,
 * step, last action and its result, blocked submits, remembered values), candidates for a scoring
 * policy, and rewards read from the server's state.
 */
import {
  type AnyTool,
  type CandidateAction,
  type DispatchResult,
  type EnvironmentSession,
  type EpisodeVerdict,
  type Observation,
  type StepOutcome,
  ToolAbstractionLayer,
  type ToolCall,
  ToolRegistry,
} from '@chimera/toolbelt';
import {
  type BrowserManager,
  createPlaywrightToolset,
  type PageObservation,
  type PlaywrightToolset,
} from '@chimera/toolbelt/playwright';
import { type CandidateSource, salientValues, webCandidates } from './candidates';
import type { EpisodeState } from './site/episode-state';
import { hashSeed, Rng } from './site/rng';
import { siteVariantByKey } from './site/site-variant';
import { EPISODE_COOKIE, type TaskSite } from './site/task-site-server';
import { webSituationClass, webSituationKeys } from './situation';
import type { VerdictInput, WebTaskFamily, WebTaskSpec } from './tasks/web-task';
import { webTaskFamily } from './tasks/web-task-generator';

export interface WebSessionOptions {
  site: TaskSite;
  browser: BrowserManager;
  agentId?: string;
  /** Attach a JPEG screenshot to every observation (default false). */
  screenshots?: boolean;
  maxScreenshotBytes?: number;
  actionTimeoutMs?: number;
  maxCandidates?: number;
  /** Shuffle candidates by (seed, task, step); unset keeps page order. */
  candidateSeed?: number;
}

/** What `Observation.data` holds for web episodes. */
export interface WebObservationData extends CandidateSource, Record<string, unknown> {
  site: string;
  brand: string;
  step: number;
  maxSteps: number;
  title: string;
  headings: PageObservation['headings'];
  alerts: string[];
  events: string[];
  lastAction?: string;
  lastResult?: string;
  /** Key of this kind of state across task instances, for episodic memory (see situation.ts). */
  situation: string;
  /** Coarser keys of this state, finer first: without alerts, then without control states (see situation.ts). */
  situationBackoff: string[];
  /** The page kind without the site, e.g. `/checkout` (see situation.ts). */
  situationClass: string;
}

export class WebEpisodeSession implements EnvironmentSession {
  readonly task: WebTaskSpec;
  readonly #family: WebTaskFamily;
  readonly #options: WebSessionOptions;
  readonly #state: EpisodeState;
  readonly #toolset: PlaywrightToolset;
  readonly #tal: ToolAbstractionLayer;
  readonly #startUrl: string;
  #steps = 0;
  #done = false;
  #memory: string[] = [];
  #lastAction: string | undefined;
  #lastResult: string | undefined;
  #closed = false;
  #onClose: (() => void)[] = [];

  private constructor(
    task: WebTaskSpec,
    options: WebSessionOptions,
    state: EpisodeState,
    toolset: PlaywrightToolset,
    startUrl: string,
  ) {
    this.task = task;
    this.#family = webTaskFamily(task.family);
    this.#options = options;
    this.#state = state;
    this.#toolset = toolset;
    this.#startUrl = startUrl;
    this.#tal = new ToolAbstractionLayer({
      registry: new ToolRegistry(toolset.tools),
      guards: [toolset.guard],
      defaultTimeoutMs: 60_000,
    });
  }

  static async start(task: WebTaskSpec, options: WebSessionOptions): Promise<WebEpisodeSession> {
    const { site } = options;
    const state = site.createEpisode(task.params.setup);
    const startUrl = `${site.origin}/${task.params.site}${task.params.startPath}`;
    try {
      const toolset = await createPlaywrightToolset({
        browser: options.browser,
        allowlist: [site.origin],
        startUrl,
        summarize: { homeOrigin: site.origin },
        actionTimeoutMs: options.actionTimeoutMs ?? 5_000,
        maxScreenshotBytes: options.maxScreenshotBytes,
        prepareContext: (context) =>
          context.addCookies([{ name: EPISODE_COOKIE, value: state.id, url: site.origin }]),
      });
      return new WebEpisodeSession(task, options, state, toolset, startUrl);
    } catch (error) {
      site.endEpisode(state.id);
      throw error;
    }
  }

  /** The tools this episode's TAL dispatches. */
  get tools(): readonly AnyTool[] {
    return this.#toolset.tools;
  }

  /** The Playwright toolset of this episode (raw page access for tests and tools). */
  get toolset(): PlaywrightToolset {
    return this.#toolset;
  }

  /** Server-side state of the episode (what verdicts read). */
  get state(): EpisodeState {
    return this.#state;
  }

  get steps(): number {
    return this.#steps;
  }

  async observe(): Promise<Observation> {
    const page = await this.#toolset.observe();
    const variant = siteVariantByKey(this.task.params.site);
    for (const text of [page.rendered]) {
      for (const value of salientValues(text)) {
        this.#memory = [...this.#memory.filter((v) => v !== value), value].slice(-6);
      }
    }
    const situation = webSituationKeys({
      site: this.task.params.site,
      url: page.url,
      elements: page.elements,
      alerts: page.alerts,
    });
    const data: WebObservationData = {
      site: this.task.params.site,
      brand: variant?.brand ?? this.task.params.brand,
      step: this.#steps,
      maxSteps: this.task.maxSteps,
      url: page.url,
      title: page.title,
      tab: page.tab,
      tabs: page.tabs,
      elements: page.elements,
      headings: page.headings,
      text: page.text,
      tables: page.tables,
      alerts: page.alerts,
      events: page.events,
      memory: [...this.#memory],
      startUrl: this.#startUrl,
      situation: situation.situation,
      situationBackoff: situation.situationBackoff,
      situationClass: webSituationClass({ site: this.task.params.site, url: page.url }),
    };
    if (this.#lastAction !== undefined) data.lastAction = this.#lastAction;
    if (this.#lastResult !== undefined) data.lastResult = this.#lastResult;
    const header = [`site: ${data.brand} [${data.site}] · step ${this.#steps}/${this.task.maxSteps}`];
    if (this.#lastAction !== undefined) header.push(`last: ${this.#lastAction} → ${this.#lastResult}`);
    if (this.#memory.length > 0) header.push(`remembered: ${this.#memory.join(', ')}`);
    const observation: Observation = { text: `${header.join('\n')}\n${page.rendered}`, data };
    if (this.#options.screenshots) {
      const bytes = await this.#toolset.screenshot().catch(() => undefined);
      if (bytes) observation.images = [{ mime: 'image/jpeg', bytes }];
    }
    return observation;
  }

  candidates(observation: Observation): CandidateAction[] {
    const data = observation.data as Partial<WebObservationData>;
    if (!Array.isArray(data.elements)) return [];
    const candidates = webCandidates(this.task.goal, data as WebObservationData, {
      max: this.#options.maxCandidates ?? 60,
    });
    const seed = this.#options.candidateSeed;
    return seed === undefined
      ? candidates
      : new Rng(hashSeed(seed, this.task.id, data.step ?? 0)).shuffle(candidates);
  }

  /** Runs `listener` once the session is closed. */
  onClose(listener: () => void): void {
    this.#onClose.push(listener);
  }

  async step(call: ToolCall): Promise<StepOutcome> {
    if (this.#done || this.#closed) {
      const result: DispatchResult = {
        ok: false,
        tool: call.tool,
        error: { code: 'environment_error', message: 'The episode is over; start a new one.' },
        durationMs: 0,
      };
      return {
        observation: { text: 'episode over', data: {} },
        reward: 0,
        done: true,
        truncated: false,
        result,
      };
    }
    this.#steps++;
    const result = await this.#tal.dispatch(call, {
      metadata: { episode: this.#state.id, agentId: this.#options.agentId, task: this.task.id },
    });
    this.#lastAction = describeCall(call);
    this.#lastResult = describeResult(result);
    let observation: Observation;
    let fatal = false;
    try {
      observation = await this.observe();
    } catch (error) {
      // Even the recovery failed: the episode cannot go on.
      fatal = true;
      const message = error instanceof Error ? error.message : String(error);
      observation = {
        text: `The environment failed and could not recover: ${message}`,
        data: { error: message },
      };
    }
    const input = this.#input();
    const verdict = this.#family.verdict(input);
    const done = verdict.success || this.#family.terminal(input) || input.answer !== undefined;
    const truncated = !done && (fatal || this.#steps >= this.task.maxSteps);
    this.#done = done || truncated;
    return {
      observation,
      reward: this.#done ? verdict.score : 0,
      done,
      truncated,
      result,
      info: { verdict, step: this.#steps },
    };
  }

  async verdict(): Promise<EpisodeVerdict> {
    return this.#family.verdict(this.#input());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#toolset.close();
    } finally {
      this.#options.site.endEpisode(this.#state.id);
      for (const listener of this.#onClose.splice(0)) listener();
    }
  }

  #input(): VerdictInput {
    return { task: this.task, state: this.#state, answer: this.#toolset.session.answer };
  }
}

function describeCall(call: ToolCall): string {
  const args = call.args && typeof call.args === 'object' ? (call.args as Record<string, unknown>) : {};
  const parts = Object.entries(args).map(([k, v]) =>
    k === 'id' || k === 'tab' ? String(v) : `${k}=${JSON.stringify(v)}`,
  );
  return [call.tool, ...parts].join(' ').slice(0, 160);
}

function describeResult(result: DispatchResult): string {
  if (!result.ok) return `error ${result.error.code}: ${result.error.message}`.slice(0, 300);
  const value = result.value as
    | { navigated?: boolean; url?: string; openedTab?: number; blocked?: string[] }
    | undefined;
  const parts = ['ok'];
  if (value?.navigated && value.url) {
    try {
      parts.push(`now at ${new URL(value.url).pathname}`);
    } catch {
      parts.push(`now at ${value.url}`);
    }
  }
  if (value?.openedTab !== undefined) parts.push(`opened tab ${value.openedTab}`);
  if (value?.blocked?.length) parts.push(value.blocked.join('; '));
  return parts.join(', ');
}
