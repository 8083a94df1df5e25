/**
 * The Meta-Cognitive Controller (blueprint 5.2): which Self acts next, learned from outcomes.
 *
 * - Task analysis: a planner splits the goal into sub-tasks with the skills each needs.
 * - Strategy selection: per (environment, family, sub-task) a Beta posterior of each acting
 *   Self's success, seeded by a skill prior from the roster metadata; top-two Thompson sampling in
 *   `explore` mode, the posterior-mean best in `exploit` mode. The incumbent (best posterior mean)
 *   keeps the job unless the runner-up's sample beats its sample by `switchMargin`, so each family
 *   settles on one Self quickly (exploration across Selves splits their training data). One
 *   decision per sub-task per episode: the Self is not re-drawn at every step.
 * - The controller's own adapter scores (task, Self description) pairs; its softmax, centred,
 *   times `adapterWeight` (ramped up with its training rounds: n / (n + 2)) is added to the
 *   posterior term. It is trained with QuZO every `trainEvery` observed episodes.
 * - Self-assessment: `assess()` reads success rates and efficiency from the experience store.
 *
 * Deterministic given the seed and the call sequence; `saveState()` captures everything needed
 * to continue identically (counts, random state, adapter tensors, training buffer).
 */
import type { LoraWeights, NanoPolicyModel } from '@chimera/runtime-cuda';
import type { Observation, TaskSpec } from '@chimera/toolbelt';
import type { ExperienceStore } from '@chimera/ues';
import { SelvesError } from '../errors/selves-error';
import {
  ControllerAdapter,
  type ControllerExample,
  type ControllerTrainingReport,
} from './controller-adapter';
import { SeededRandom } from './seeded-random';
import { type AssessmentRow, assessSelves } from './self-assessment';
import { type PriorOptions, type SelfProfile, skillPrior } from './skill-prior';
import {
  advanceSubtask,
  type SubTask,
  skillTags,
  type TaskPlan,
  type TaskPlanner,
  TemplatePlanner,
} from './task-planner';

export interface ControllerChoice {
  self: string;
  version: string;
  reason: string;
  scores?: Record<string, number>;
}

/** What the controller learns from (a finished episode; phoenix's EpisodeResult fits). */
export interface ObservedEpisode {
  task: TaskSpec;
  success: boolean;
  score: number;
  steps: number;
  selvesUsed: string[];
}

export interface MetaCognitiveControllerOptions {
  /** The acting Selves it chooses among. */
  selves: readonly SelfProfile[];
  /** Current version label of a Self (recorded with each choice). */
  versionOf: (self: string) => string;
  seed: number;
  /** Its own adapter: the model and the initial weights (copied; the copy is trained). */
  adapter?: { model: NanoPolicyModel; weights: LoraWeights };
  store?: ExperienceStore;
  planner?: TaskPlanner;
  prior?: PriorOptions;
  /** A challenger's sample must beat the incumbent's by this much. Default 0.1. */
  switchMargin?: number;
  /** Weight of the adapter's (centred) probability. Default 0.3. */
  adapterWeight?: number;
  /** Train the adapter after this many observed episodes. Default 8. */
  trainEvery?: number;
  /** QuZO steps per training round. Default 24. */
  trainSteps?: number;
  /** Most recent examples kept for training. Default 96. */
  bufferSize?: number;
}

export interface PosteriorRow {
  key: string;
  self: string;
  /** Observed episodes (fractional with partial scores). */
  episodes: number;
  mean: number;
  /** Central 95% interval of the Beta posterior (normal approximation, clamped to [0, 1]). */
  ci95: [number, number];
  prior: { alpha: number; beta: number };
}

export interface ControllerState {
  version: 1;
  seed: number;
  mode: 'explore' | 'exploit';
  random: number;
  counts: Record<string, Record<string, [number, number]>>;
  priors: Record<string, Record<string, [number, number]>>;
  observed: number;
  sinceTraining: number;
  buffer: ControllerExample[];
  adapter: Record<string, string> | null;
  trainings: ControllerTrainingReport[];
}

interface EpisodeDecisions {
  taskId: string;
  plan: TaskPlan;
  index: number;
  choices: Map<string, ControllerChoice>;
  used: { key: string; self: string; subtask: SubTask }[];
}

export class MetaCognitiveController {
  private mode: 'explore' | 'exploit' = 'explore';
  private readonly random: SeededRandom;
  private counts: Record<string, Record<string, [number, number]>> = {};
  /** Prior (alpha, beta) per key and Self, recorded when the key is first decided (for reports). */
  private priors: Record<string, Record<string, [number, number]>> = {};
  private observed = 0;
  private sinceTraining = 0;
  private buffer: ControllerExample[] = [];
  private trainings: ControllerTrainingReport[] = [];
  private episode: EpisodeDecisions | null = null;
  private readonly plans = new Map<string, TaskPlan>();
  private readonly patterns = new Map<string, RegExp>();
  private readonly planner: TaskPlanner;
  private readonly adapter: ControllerAdapter | null;
  private readonly profiles: readonly SelfProfile[];

  constructor(private readonly options: MetaCognitiveControllerOptions) {
    if (options.selves.length === 0) throw new SelvesError('the controller needs at least one acting Self');
    if (!Number.isInteger(options.seed))
      throw new SelvesError(`seed must be an integer, got ${options.seed}`);
    this.profiles = options.selves.map((s) => ({
      ...s,
      skills: [...s.skills],
      environments: [...s.environments],
    }));
    this.random = new SeededRandom(options.seed);
    this.planner = options.planner ?? new TemplatePlanner();
    this.adapter = options.adapter
      ? new ControllerAdapter(
          options.adapter.model,
          options.adapter.weights.clone(),
          this.profiles.map((s) => s.description),
        )
      : null;
  }

  /** The acting Selves, in candidate order. */
  get selves(): string[] {
    return this.profiles.map((s) => s.name);
  }

  /** The controller's own adapter weights (live; trained in place). */
  get adapterWeights(): LoraWeights | null {
    return this.adapter?.weights ?? null;
  }

  setMode(mode: 'explore' | 'exploit'): void {
    if (mode !== 'explore' && mode !== 'exploit')
      throw new SelvesError(`mode must be 'explore' or 'exploit', got ${mode}`);
    this.mode = mode;
  }

  getMode(): 'explore' | 'exploit' {
    return this.mode;
  }

  /** Picks the Self for this step; the choice holds for the sub-task until the plan moves on. */
  async select(request: {
    task: TaskSpec;
    step: number;
    observation: Observation;
    history?: readonly string[];
  }): Promise<ControllerChoice> {
    const { task, step, observation } = request;
    let episode = this.episode;
    if (!episode || step === 0 || episode.taskId !== task.id) {
      episode = { taskId: task.id, plan: await this.planFor(task), index: 0, choices: new Map(), used: [] };
      this.episode = episode;
    }
    episode.index = advanceSubtask(episode.plan, episode.index, observation, this.patterns);
    const subtask = episode.plan.subtasks[episode.index]!;
    let choice = episode.choices.get(subtask.id);
    if (!choice) {
      choice = await this.decide(task, episode.plan, episode.index);
      episode.choices.set(subtask.id, choice);
      episode.used.push({ key: keyOf(task, subtask), self: choice.self, subtask });
    }
    return { ...choice, version: this.options.versionOf(choice.self) };
  }

  /** Learns from a finished episode: posteriors, and (every `trainEvery` episodes) the adapter. */
  async observeEpisode(result: ObservedEpisode, options: { learn: boolean }): Promise<void> {
    this.observed++;
    const mine = this.episode && this.episode.taskId === result.task.id ? this.episode.used : null;
    this.episode = null;
    if (!options.learn) return;
    const score = result.success
      ? 1
      : Math.min(1, Math.max(0, Number.isFinite(result.score) ? result.score : 0));
    const plan = await this.planFor(result.task);
    const first = plan.subtasks[0]!;
    const credit =
      mine ??
      result.selvesUsed
        .filter((s) => this.selves.includes(s))
        .map((self) => ({ key: keyOf(result.task, first), self, subtask: first }));
    const seen = new Set<string>();
    for (const { key, self, subtask } of credit) {
      if (seen.has(`${key}\u0000${self}`)) continue;
      seen.add(`${key}\u0000${self}`);
      const row = (this.counts[key] ??= {});
      const c = (row[self] ??= [0, 0]);
      c[0] += score;
      c[1] += 1 - score;
      const chosen = this.selves.indexOf(self);
      if (this.adapter && chosen >= 0) {
        this.buffer.push({
          key,
          goal: result.task.goal,
          situation: situation(result.task, subtask),
          chosen,
          score,
        });
      }
    }
    const size = this.options.bufferSize ?? 96;
    if (this.buffer.length > size) this.buffer = this.buffer.slice(-size);
    this.sinceTraining++;
    if (this.adapter && this.sinceTraining >= (this.options.trainEvery ?? 8)) {
      this.sinceTraining = 0;
      const report = await this.adapter.train(this.buffer, {
        steps: this.options.trainSteps ?? 24,
        seed: this.random.nextUint32(),
      });
      if (report) this.trainings.push(report);
    }
  }

  /** Posterior of every (key, Self) the controller has evidence or a prior for. */
  posteriors(): PosteriorRow[] {
    const rows: PosteriorRow[] = [];
    for (const [key, bySelf] of Object.entries(this.counts)) {
      for (const [self, [s, f]] of Object.entries(bySelf)) {
        const prior = this.priorFor(key, self);
        const a = prior.alpha + s;
        const b = prior.beta + f;
        const mean = a / (a + b);
        const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
        rows.push({
          key,
          self,
          episodes: s + f,
          mean,
          ci95: [Math.max(0, mean - 1.96 * sd), Math.min(1, mean + 1.96 * sd)],
          prior: { alpha: prior.alpha, beta: prior.beta },
        });
      }
    }
    return rows.sort((x, y) => x.key.localeCompare(y.key) || y.mean - x.mean);
  }

  /** Success rate, interval and efficiency per (Self, family or tag) from the experience store. */
  async assess(options: { by?: 'family' | 'tag' } = {}): Promise<AssessmentRow[]> {
    if (!this.options.store)
      throw new SelvesError('assess() needs an experience store (pass `store` to the controller)');
    return assessSelves(this.options.store, options);
  }

  /** The own adapter's probability of each acting Self for `task` (first sub-task); null without an adapter. */
  async adapterScores(task: TaskSpec): Promise<Record<string, number> | null> {
    if (!this.adapter) return null;
    const plan = await this.planFor(task);
    const probs = await this.adapter.probabilities(task.goal, situation(task, plan.subtasks[0]!));
    return Object.fromEntries(this.profiles.map((p, i) => [p.name, probs[i]!]));
  }

  /** Adapter training rounds so far (loss before/after each). */
  trainingReports(): ControllerTrainingReport[] {
    return this.trainings.map((r) => ({ ...r }));
  }

  saveState(): ControllerState {
    return {
      version: 1,
      seed: this.options.seed,
      mode: this.mode,
      random: this.random.state,
      counts: structuredClone(this.counts),
      priors: structuredClone(this.priors),
      observed: this.observed,
      sinceTraining: this.sinceTraining,
      buffer: this.buffer.map((e) => ({ ...e })),
      adapter: this.adapter ? encodeTensors(this.adapter.weights) : null,
      trainings: this.trainingReports(),
    };
  }

  loadState(raw: unknown): void {
    const state = raw as ControllerState;
    if (!state || typeof state !== 'object' || state.version !== 1) {
      throw new SelvesError('loadState: not a saved controller state (version 1 expected)');
    }
    this.mode = state.mode;
    this.random.setState(state.random);
    this.counts = structuredClone(state.counts);
    this.priors = structuredClone(state.priors ?? {});
    this.observed = state.observed;
    this.sinceTraining = state.sinceTraining;
    this.buffer = state.buffer.map((e) => ({ ...e }));
    this.trainings = state.trainings.map((r) => ({ ...r }));
    this.episode = null;
    if (this.adapter && state.adapter) {
      decodeTensors(this.adapter.weights, state.adapter);
      this.adapter.invalidate();
    }
  }

  private async planFor(task: TaskSpec): Promise<TaskPlan> {
    const hit = this.plans.get(task.id);
    if (hit) return hit;
    const plan = await this.planner.plan(task);
    if (plan.subtasks.length === 0)
      throw new SelvesError(`the planner returned no sub-tasks for task ${task.id}`);
    if (this.plans.size >= 1024) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(task.id, plan);
    return plan;
  }

  private priorFor(key: string, self: string): { alpha: number; beta: number } {
    const [alpha, beta] = this.priors[key]?.[self] ?? [1, 1];
    return { alpha, beta };
  }

  private async decide(task: TaskSpec, plan: TaskPlan, index: number): Promise<ControllerChoice> {
    const subtask = plan.subtasks[index]!;
    const key = keyOf(task, subtask);
    const k = this.profiles.length;
    const probs = this.adapter ? await this.adapter.probabilities(task.goal, situation(task, subtask)) : null;
    // The adapter's say grows with its training rounds: untrained, its softmax is only lexical overlap.
    const rounds = this.trainings.length;
    const weight = ((this.options.adapterWeight ?? 0.3) * rounds) / (rounds + 2);
    const stats = this.profiles.map((profile, i) => {
      const prior = skillPrior(profile, task, subtask, this.options.prior);
      (this.priors[key] ??= {})[profile.name] = [prior.alpha, prior.beta];
      const [s, f] = this.counts[key]?.[profile.name] ?? [0, 0];
      const a = prior.alpha + s;
      const b = prior.beta + f;
      const bonus = probs ? weight * (probs[i]! - 1 / k) : 0;
      return { profile, prior, a, b, n: s + f, mean: a / (a + b), bonus };
    });
    // Incumbent: best posterior mean (plus the adapter's term); challenger: the runner-up.
    const ranked = stats
      .map((st, i) => ({ i, value: st.mean + st.bonus }))
      .sort((x, y) => y.value - x.value || x.i - y.i)
      .map((r) => r.i);
    const incumbent = ranked[0]!;
    const scores: Record<string, number> = {};
    for (const st of stats) scores[st.profile.name] = round(st.mean + st.bonus);
    let chosen = incumbent;
    let how: string;
    if (this.mode === 'exploit' || k === 1) {
      how = 'exploit: best posterior mean';
    } else {
      // Top-two Thompson with a switching margin: only the runner-up may take the job, and only
      // when its sample beats the incumbent's by `switchMargin`, so a family settles on one Self
      // instead of spreading its episodes (and the Selves' training data) over all of them.
      const challenger = ranked[1]!;
      const inc = stats[incumbent]!;
      const ch = stats[challenger]!;
      const sampleIncumbent = this.random.beta(inc.a, inc.b) + inc.bonus;
      const sampleChallenger = this.random.beta(ch.a, ch.b) + ch.bonus;
      const margin = this.options.switchMargin ?? 0.1;
      if (sampleChallenger >= sampleIncumbent + margin) {
        chosen = challenger;
        how = `explore: the runner-up's Thompson sample ${round(sampleChallenger)} beat the incumbent ${inc.profile.name}'s ${round(sampleIncumbent)} by >= ${margin}`;
      } else {
        how = `explore: Thompson kept the incumbent (sample ${round(sampleIncumbent)} vs runner-up ${ch.profile.name} ${round(sampleChallenger)})`;
      }
    }
    const c = stats[chosen]!;
    const planText =
      plan.subtasks.length > 1
        ? `; sub-task ${index + 1}/${plan.subtasks.length} "${subtask.id}" (${plan.source} plan)`
        : '';
    const priorText = c.prior.matched.length ? `skills ${c.prior.matched.join(', ')}` : 'no shared skill';
    const adapterText = probs ? `; adapter p ${round(probs[chosen]!)}` : '';
    const reason = `${c.profile.name} for ${key}${planText}: ${how}; posterior mean ${round(c.mean)} after ${round(c.n)} episodes (prior from ${priorText})${adapterText}`;
    return { self: c.profile.name, version: '', reason, scores };
  }
}

function keyOf(task: TaskSpec, subtask: SubTask): string {
  return `${task.environment}/${task.family}/${subtask.id}`;
}

function situation(task: TaskSpec, subtask: SubTask): string {
  return `${task.environment} ${task.family}: ${subtask.description}; skills ${[...new Set([...subtask.skills, ...skillTags(task)])].join(', ')}`;
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function encodeTensors(weights: LoraWeights): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of weights.names()) {
    const t = weights.get(name);
    out[name] = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
  }
  return out;
}

function decodeTensors(weights: LoraWeights, encoded: Record<string, string>): void {
  for (const name of weights.names()) {
    const text = encoded[name];
    if (text === undefined) throw new SelvesError(`loadState: the saved adapter has no tensor "${name}"`);
    const bytes = Buffer.from(text, 'base64');
    const target = weights.get(name);
    if (bytes.byteLength !== target.byteLength) {
      throw new SelvesError(
        `loadState: saved tensor "${name}" has ${bytes.byteLength / 4} values, the adapter ${target.length}`,
      );
    }
    new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
  }
}
