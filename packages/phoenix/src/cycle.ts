/**
 * The Phoenix cycle: cycle 0 measures the untrained agent on held-out tasks; every later cycle runs
 *
 *   act          Wake, acting: curriculum-chosen training tasks, the MCC picks Selves, experiences recorded
 *   multi-agent  collaborative and adversarial sessions (when configured)
 *   sleep        TD errors + learning progress -> replay priorities; a prioritized mini-batch is
 *                diagnosed and learning objectives are written
 *   learn        Wake, learning: QuZO fine-tunes each objective's target Self on its mini-batch;
 *                a validation run keeps the new version or rolls it back
 *   evaluate     held-out tasks, no learning
 *
 * All state is on disk (`stateDir/phoenix-state.json`, the experience store, the Self library).
 * Each phase starts from the state written at the previous boundary and is deterministic in it,
 * experiences carry deterministic ids and are appended only if absent, and adapter versions are
 * tagged with their objective: a run killed anywhere and started again ends in the same state.
 */
import { join } from 'node:path';
import {
  HybridPriority,
  type HybridPriorityState,
  PrioritizedReplayBuffer,
  type PrioritizedReplayState,
} from '@chimera/per-sumtree';
import type { NanoPolicyModel } from '@chimera/runtime-cuda';
import type { Environment, TaskFamilyInfo, TaskSpec } from '@chimera/toolbelt';
import type { Experience, ExperienceInput, ExperienceStore } from '@chimera/ues';
import {
  LearningProgressTeacher,
  type LearningProgressTeacherOptions,
  type TeacherState,
} from './curriculum/learning-progress-teacher';
import { Mulberry32 } from './curriculum/random';
import { type EpisodeResult, runEpisode } from './episode-runner';
import { CycleInterruptedError, PhoenixError } from './errors';
import {
  capFor,
  type DifficultyCap,
  evaluate,
  type FamilyScore,
  heldoutTasks,
  levelsOf,
  scoreByFamily,
} from './evaluation';
import {
  AdversaryPopulation,
  type AdversaryPopulationState,
  variationKey,
} from './mada/adversary-population';
import { runCollaborativeSession } from './mada/collaborative-session';
import type { EpisodicMemory, EpisodicMemoryState } from './memory/episodic-memory';
import type { Policy } from './policy';
import { tdError } from './priorities';
import type { Controller, SelvesHost } from './selves-host';
import { type DiagnosisSample, diagnose } from './sleep/diagnose';
import { type LearningObjective, objectiveFromDiagnosis } from './sleep/objective';
import { type Reflector, reflectOn } from './sleep/reflector';
import { readJson, writeJsonAtomic } from './state/atomic-json';
import { trainAdapter } from './wake/adapter-trainer';
import { trainingExamples } from './wake/training-examples';

/** Successful episode endings of the target Self read for its retention families (most recent first). */
const RETENTION_LOOKBACK = 500;

/**
 * The families a new version of `self` must keep (one validation task each), sorted: every other
 * family it acted on in the mini-batch (`records` from it), and every family whose episodes it
 * finished successfully (`records` from the store). A family the Self solves without trouble is
 * rarely among high-TD steps, and is exactly what a new version could lose unnoticed (forgetting).
 */
export function retentionFamilies(
  self: string,
  objectiveFamily: string,
  records: readonly Experience[],
  environments: readonly { name: string }[],
): { environment: string; family: string }[] {
  const others = new Map<string, { environment: string; family: string }>();
  for (const r of records) {
    if (r.metadata.self.name !== self || r.metadata.task.family === objectiveFamily) continue;
    if (!environments.some((e) => e.name === r.metadata.environment)) continue;
    others.set(`${r.metadata.environment}/${r.metadata.task.family}`, {
      environment: r.metadata.environment,
      family: r.metadata.task.family,
    });
  }
  return [...others.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, f]) => f);
}

export type PhaseName = 'baseline' | 'act' | 'multi-agent' | 'sleep' | 'learn' | 'evaluate';
const CYCLE_PHASES: PhaseName[] = ['act', 'multi-agent', 'sleep', 'learn', 'evaluate'];

export interface ObjectiveOutcome {
  objectiveId: string;
  targetSelf: string;
  family: string;
  kept: boolean;
  version: string;
  validationBefore: number;
  validationAfter: number;
  /** Mean score on the Self's other families in the mini-batch (one task each): forgetting shows here. */
  retentionBefore: number;
  retentionAfter: number;
  policyLossBefore: number;
  policyLossAfter: number;
  examples: number;
  reason: string;
}

export interface CycleRecord {
  cycle: number;
  heldout: FamilyScore[];
  training: FamilyScore[];
  perSelf: { self: string; episodes: number; successes: number; rate: number }[];
  objectives: LearningObjective[];
  outcomes: ObjectiveOutcome[];
  swaps: number;
  multiAgent: Record<string, unknown>;
  timings: { phase: string; ms: number }[];
}

export interface PhoenixState {
  version: 1;
  seed: number;
  nextCycle: number;
  nextPhase: PhaseName;
  teacher: TeacherState;
  adversaries: AdversaryPopulationState;
  replay: PrioritizedReplayState<string>;
  hybrid: HybridPriorityState;
  controller: unknown;
  /** The collaborative partner's controller state (absent without a collaborative session). */
  partner?: unknown;
  /** Experience ids appended since the last Sleep (their signals are written at the next Sleep). */
  unsignalled: string[];
  /** Objectives written by the last Sleep and not yet learned. */
  pending: LearningObjective[];
  /** Version of every acting Self when the last Sleep ended: what its learning starts from. */
  versionsAtSleep: Record<string, string>;
  miniBatches: number;
  /** The episodic memory's table (absent when the run has no memory). */
  memory?: EpisodicMemoryState;
  cycles: CycleRecord[];
  /** The current cycle's record while it is in progress. */
  current: CycleRecord | null;
}

export type PhoenixEvent =
  | { type: 'phase-start'; cycle: number; phase: PhaseName }
  | { type: 'phase-end'; cycle: number; phase: PhaseName; ms: number }
  | { type: 'episode'; cycle: number; phase: PhaseName; index: number; total: number; result: EpisodeResult }
  | { type: 'objective'; cycle: number; objective: LearningObjective }
  | { type: 'learned'; cycle: number; outcome: ObjectiveOutcome }
  | { type: 'training-progress'; cycle: number; self: string; step: number; steps: number; loss: number }
  | { type: 'evaluation'; cycle: number; scores: FamilyScore[] }
  | { type: 'resumed'; cycle: number; phase: PhaseName };

export interface PhoenixOptions {
  stateDir: string;
  environments: Environment[];
  store: ExperienceStore;
  model: NanoPolicyModel;
  policy: Policy;
  controller: Controller;
  selves: SelvesHost;
  cycles: number;
  seed: number;
  /** Training episodes per cycle (Wake, acting). */
  episodesPerCycle: number;
  /** Held-out tasks per family for each evaluation (a number, or a count per family). */
  heldoutPerFamily: number | ((info: TaskFamilyInfo) => number);
  /** Evaluation episodes run at once (they learn nothing, so results do not depend on it). Default 1. */
  evaluationConcurrency?: number;
  /** Validation tasks per family for keep-or-rollback after learning. */
  validationPerFamily?: number;
  /** Prioritized mini-batch size sampled at each Sleep. */
  miniBatchSize?: number;
  /** At most this many objectives (distinct target Selves) per Sleep. */
  objectivesPerSleep?: number;
  /** QuZO steps per objective. */
  trainingSteps?: number;
  /** Replay buffer capacity (experiences). */
  replayCapacity?: number;
  /** Weights of TD error and learning progress in the replay priority. */
  priorityWeights?: { td: number; lp: number };
  /** Families the curriculum draws from (default: all of every environment). */
  families?: (environment: string, family: string) => boolean;
  /**
   * Highest difficulty the curriculum, the held-out tasks and the validation tasks use (default:
   * every level a family has; a number for all environments or one per environment name). A short
   * run learns more on the first rungs than spread over all.
   */
  maxDifficulty?: DifficultyCap;
  /**
   * Replay epsilon: added to every priority before the exponent, so steps with no TD error yet
   * (sparse rewards, an untrained value head) are still sampled. Default 0.05 (priorities are
   * normalized to a running mean of about 1).
   */
  replayEpsilon?: number;
  /**
   * How much the mean score of the target Self's other families (one retention task each) may fall
   * for a new version to be kept. Default 0.1: partial-credit scores move a little between versions;
   * a family that stops working (a drop of 1 over a few tasks) is still refused.
   */
  retentionTolerance?: number;
  /**
   * Successful episodes of the objective's family added to its mini-batch as contrast (the steps
   * that worked beside the ones that failed; with only failures, every advantage is the same and
   * there is nothing to learn from). Default 24 episodes; 0 turns it off.
   */
  contrastEpisodes?: number;
  /**
   * Episodic memory shared with the policy (the same object given to EmbeddedPolicy): the cycle
   * fills it with every episode it records and saves it with its state, so a resume sees it as the
   * interrupted run did.
   */
  memory?: EpisodicMemory;
  /**
   * Words each objective's skill gap from its evidence (a language-model Reflector Self, e.g.
   * `@chimera/phoenix/llm`'s LanguageModelReflector). Without one, the statistical analysis does.
   */
  reflector?: Reflector;
  /** Curriculum teacher settings (see LearningProgressTeacherOptions). */
  curriculum?: Pick<LearningProgressTeacherOptions, 'uniformMix' | 'prior' | 'masteredWeight'>;
  multiAgent?: {
    /** Collaborative session each cycle: environment name and family of a cooperative task. */
    collaborative?: { environment: string; family: string; difficulty?: number; partner: Controller };
    /** Adversarial session each cycle: an adversary proposes variations on this environment. */
    adversarial?: { environment: string; episodes: number };
  };
  onEvent?: (event: PhoenixEvent) => void;
  /** Test hook: throw CycleInterruptedError when this boundary (`<cycle>:<phase>`) is reached, after its state is written. */
  interruptAt?: string;
}

const STATE_FILE = 'phoenix-state.json';

function seedFor(seed: number, cycle: number, phase: string, extra = 0): number {
  let h = (seed ^ 0x2545f491) >>> 0;
  for (const c of `${cycle}:${phase}:${extra}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

function armsOf(
  environments: readonly Environment[],
  families?: PhoenixOptions['families'],
  maxDifficulty?: DifficultyCap,
) {
  return environments.flatMap((env) =>
    env.generator
      .families()
      .filter((f) => !families || families(env.name, f.family))
      .flatMap((f) =>
        levelsOf(f.difficulties, capFor(maxDifficulty, env.name)).map((difficulty) => ({
          environment: env.name,
          family: f.family,
          difficulty,
        })),
      ),
  );
}

function emptyRecord(cycle: number): CycleRecord {
  return {
    cycle,
    heldout: [],
    training: [],
    perSelf: [],
    objectives: [],
    outcomes: [],
    swaps: 0,
    multiAgent: {},
    timings: [],
  };
}

function perSelf(results: readonly EpisodeResult[]): CycleRecord['perSelf'] {
  const by = new Map<string, { episodes: number; successes: number }>();
  for (const r of results) {
    for (const self of new Set(r.selvesUsed)) {
      const s = by.get(self) ?? { episodes: 0, successes: 0 };
      s.episodes++;
      if (r.success) s.successes++;
      by.set(self, s);
    }
  }
  return [...by.entries()]
    .map(([self, s]) => ({ self, ...s, rate: s.successes / s.episodes }))
    .sort((a, b) => a.self.localeCompare(b.self));
}

export class PhoenixRun {
  private state!: PhoenixState;
  private teacher!: LearningProgressTeacher;
  private adversaries!: AdversaryPopulation;
  private replay!: PrioritizedReplayBuffer<string>;
  private hybrid!: HybridPriority;
  private readonly statePath: string;

  constructor(private readonly options: PhoenixOptions) {
    if (options.environments.length === 0)
      throw new PhoenixError('runPhoenix needs at least one environment');
    this.statePath = join(options.stateDir, STATE_FILE);
  }

  /** Load the state on disk (resume) or start a new run. */
  private load(): void {
    const saved = readJson<PhoenixState>(this.statePath);
    const o = this.options;
    if (saved) {
      if (saved.seed !== o.seed) {
        throw new PhoenixError(
          `the state in ${o.stateDir} belongs to a run with seed ${saved.seed}, not ${o.seed}: use that seed to resume, or another directory`,
        );
      }
      this.state = saved;
      this.options.onEvent?.({ type: 'resumed', cycle: saved.nextCycle, phase: saved.nextPhase });
    } else {
      const arms = armsOf(o.environments, o.families, o.maxDifficulty);
      this.state = {
        version: 1,
        seed: o.seed,
        nextCycle: 0,
        nextPhase: 'baseline',
        teacher: new LearningProgressTeacher({ ...o.curriculum, arms }).toJSON(),
        adversaries: new AdversaryPopulation({ variations: arms }).toJSON(),
        replay: new PrioritizedReplayBuffer<string>({
          capacity: o.replayCapacity ?? 4096,
          seed: o.seed,
          epsilon: o.replayEpsilon ?? 0.05,
          betaSteps: 200,
        }).toJSON(),
        hybrid: new HybridPriority({
          tdWeight: o.priorityWeights?.td ?? 0.7,
          lpWeight: o.priorityWeights?.lp ?? 0.3,
        }).getState(),
        controller: o.controller.saveState(),
        unsignalled: [],
        pending: [],
        versionsAtSleep: {},
        miniBatches: 0,
        cycles: [],
        current: null,
      };
    }
    this.teacher = LearningProgressTeacher.fromJSON(this.state.teacher, o.curriculum);
    o.memory?.load(this.state.memory);
    this.adversaries = new AdversaryPopulation(this.state.adversaries);
    this.replay = PrioritizedReplayBuffer.load<string>(this.state.replay);
    this.hybrid = new HybridPriority();
    this.hybrid.setState(this.state.hybrid);
    o.controller.loadState(this.state.controller);
    const partner = o.multiAgent?.collaborative?.partner;
    if (partner && this.state.partner !== undefined) partner.loadState(this.state.partner);
  }

  private save(nextCycle: number, nextPhase: PhaseName): void {
    this.state.teacher = this.teacher.toJSON();
    this.state.adversaries = this.adversaries.toJSON();
    this.state.replay = this.replay.toJSON();
    this.state.hybrid = this.hybrid.getState();
    this.state.controller = this.options.controller.saveState();
    const partner = this.options.multiAgent?.collaborative?.partner;
    if (partner) this.state.partner = partner.saveState();
    if (this.options.memory) this.state.memory = this.options.memory.toJSON();
    this.state.nextCycle = nextCycle;
    this.state.nextPhase = nextPhase;
    writeJsonAtomic(this.statePath, this.state);
  }

  /** Append records unless a previous (interrupted) attempt of this phase already committed them. */
  private async record(records: ExperienceInput[]): Promise<string[]> {
    if (records.length === 0) return [];
    const first = records[0]!.id!;
    if (!(await this.options.store.get(first))) await this.options.store.append(records);
    for (const r of records) this.replay.add(r.id!);
    this.options.memory?.addEpisode(records);
    this.state.unsignalled.push(...records.map((r) => r.id!));
    return records.map((r) => r.id!);
  }

  async run(): Promise<PhoenixState> {
    this.load();
    const o = this.options;
    while (this.state.nextCycle <= o.cycles) {
      const cycle = this.state.nextCycle;
      const phase = this.state.nextPhase;
      this.state.current ??= emptyRecord(cycle);
      o.onEvent?.({ type: 'phase-start', cycle, phase });
      const started = performance.now();
      await this.runPhase(cycle, phase);
      const ms = performance.now() - started;
      this.state.current.timings.push({ phase, ms });
      let nextCycle = cycle;
      let nextPhase: PhaseName;
      if (phase === 'baseline' || phase === 'evaluate') {
        this.state.cycles.push(this.state.current);
        this.state.current = null;
        nextCycle = cycle + 1;
        nextPhase = 'act';
      } else {
        nextPhase = CYCLE_PHASES[CYCLE_PHASES.indexOf(phase) + 1]!;
      }
      this.save(nextCycle, nextPhase);
      // After the save: a listener that reads the state file sees this phase in it.
      o.onEvent?.({ type: 'phase-end', cycle, phase, ms });
      if (o.interruptAt === `${cycle}:${phase}`) throw new CycleInterruptedError(`${cycle}:${phase}`);
    }
    return this.state;
  }

  private async runPhase(cycle: number, phase: PhaseName): Promise<void> {
    switch (phase) {
      case 'baseline':
      case 'evaluate':
        return this.evaluatePhase(cycle, phase);
      case 'act':
        return this.actPhase(cycle);
      case 'multi-agent':
        return this.multiAgentPhase(cycle);
      case 'sleep':
        return this.sleepPhase(cycle);
      case 'learn':
        return this.learnPhase(cycle);
    }
  }

  private environment(name: string): Environment {
    const env = this.options.environments.find((e) => e.name === name);
    if (!env)
      throw new PhoenixError(
        `no environment named "${name}" (have ${this.options.environments.map((e) => e.name).join(', ')})`,
      );
    return env;
  }

  private heldout(): TaskSpec[] {
    return heldoutTasks(this.options.environments, {
      perFamily: this.options.heldoutPerFamily,
      seed: this.options.seed,
      families: this.options.families,
      ...(this.options.maxDifficulty !== undefined ? { maxDifficulty: this.options.maxDifficulty } : {}),
    });
  }

  private async evaluatePhase(cycle: number, phase: PhaseName): Promise<void> {
    const o = this.options;
    o.controller.setMode('exploit');
    const { scores } = await evaluate({
      environments: o.environments,
      tasks: this.heldout(),
      policy: o.policy,
      selector: o.controller,
      seed: seedFor(o.seed, cycle, phase),
      label: `c${cycle}-eval`,
      concurrency: o.evaluationConcurrency ?? 1,
      onEpisode: (result, index, total) =>
        o.onEvent?.({ type: 'episode', cycle, phase, index, total, result }),
    });
    this.state.current!.heldout = scores;
    o.onEvent?.({ type: 'evaluation', cycle, scores });
  }

  private async actPhase(cycle: number): Promise<void> {
    const o = this.options;
    o.controller.setMode('explore');
    const random = new Mulberry32(seedFor(o.seed, cycle, 'act'));
    const results: EpisodeResult[] = [];
    for (let i = 0; i < o.episodesPerCycle; i++) {
      const arm = this.teacher.sample(random);
      const env = this.environment(arm.environment);
      const task = env.generator.generate({
        family: arm.family,
        difficulty: arm.difficulty,
        seed: seedFor(o.seed, cycle, 'task', i) % 1_000_000,
        split: 'train',
      });
      const result = await runEpisode({
        environment: env,
        task,
        policy: o.policy,
        selector: o.controller,
        random: new Mulberry32(seedFor(o.seed, cycle, 'episode', i)),
        episodeId: `c${cycle}-act-${i}`,
        explore: true,
        tags: ['train'],
      });
      await this.record(result.records);
      this.teacher.update(arm, result.score);
      this.adversaries.observe(arm, result.score);
      await o.controller.observeEpisode(result, { learn: true });
      results.push(result);
      o.onEvent?.({ type: 'episode', cycle, phase: 'act', index: i, total: o.episodesPerCycle, result });
    }
    const current = this.state.current!;
    current.training = scoreByFamily(results);
    current.perSelf = perSelf(results);
    current.swaps = results.reduce((s, r) => s + r.swaps, 0);
  }

  private async multiAgentPhase(cycle: number): Promise<void> {
    const o = this.options;
    const ma = o.multiAgent;
    const summary: Record<string, unknown> = {};
    if (ma?.collaborative) {
      const c = ma.collaborative;
      const env = this.environment(c.environment);
      const task = env.generator.generate({
        family: c.family,
        difficulty: c.difficulty ?? 0,
        seed: seedFor(o.seed, cycle, 'collaborative') % 1_000_000,
        split: 'train',
      });
      o.controller.setMode('explore');
      c.partner.setMode('explore');
      const result = await runCollaborativeSession({
        environment: env,
        task,
        agents: [
          { agentId: 'agent-0', policy: o.policy, selector: o.controller },
          { agentId: 'agent-1', policy: o.policy, selector: c.partner },
        ],
        random: new Mulberry32(seedFor(o.seed, cycle, 'collaborative-run')),
        sessionId: `c${cycle}-collab`,
        explore: true,
      });
      await this.record(result.records);
      summary.collaborative = {
        family: task.family,
        success: result.success,
        turns: result.turns,
        messages: result.messages,
        handovers: result.handovers,
        actionGraphEdges: result.edges,
        ...(result.error ? { error: result.error } : {}),
      };
    }
    if (ma?.adversarial) {
      const a = ma.adversarial;
      const env = this.environment(a.environment);
      const adversary = this.adversaries.spawn(cycle);
      const random = new Mulberry32(seedFor(o.seed, cycle, 'adversarial'));
      o.controller.setMode('explore');
      let regretTotal = 0;
      let failures = 0;
      const proposals: string[] = [];
      for (let i = 0; i < a.episodes; i++) {
        // The new adversary proposes first and learns from its regret; later episodes draw from the
        // whole population (ROTATE), so old weaknesses keep coming back.
        const actor = i === 0 ? adversary : (this.adversaries.pick(random) ?? adversary);
        // Propose among the population's variations of this environment only.
        let variation = this.adversaries.propose(actor, random);
        for (let tries = 0; variation.environment !== a.environment && tries < 20; tries++) {
          variation = this.adversaries.propose(actor, random);
        }
        if (variation.environment !== a.environment) break;
        const task = env.generator.generate({
          family: variation.family,
          difficulty: variation.difficulty,
          seed: seedFor(o.seed, cycle, 'adversarial-task', i) % 1_000_000,
          split: 'train',
        });
        const result = await runEpisode({
          environment: env,
          task,
          policy: o.policy,
          selector: o.controller,
          random: new Mulberry32(seedFor(o.seed, cycle, 'adversarial-episode', i)),
          episodeId: `c${cycle}-adv-${i}`,
          explore: true,
          tags: ['adversarial'],
        });
        await this.record(result.records);
        const regret = this.adversaries.regret(variation, result.score);
        if (actor === adversary) this.adversaries.reinforce(adversary, variation, regret);
        this.adversaries.observe(variation, result.score);
        regretTotal += regret;
        if (!result.success) failures++;
        proposals.push(`${variationKey(variation)} by ${actor.id}`);
      }
      summary.adversarial = {
        adversary: adversary.id,
        population: this.adversaries.members().length,
        episodes: proposals.length,
        meanRegret: proposals.length ? regretTotal / proposals.length : 0,
        protagonistFailures: failures,
        proposals,
      };
    }
    this.state.current!.multiAgent = summary;
  }

  /** V(s) for each record with the Self's current adapter (batched per Self). */
  private async currentValues(records: readonly Experience[]): Promise<number[]> {
    const o = this.options;
    const out = new Array<number>(records.length).fill(0);
    const bySelf = new Map<string, number[]>();
    records.forEach((r, i) => {
      if (!r.metadata.extra?.policyContext || !r.decision?.candidates) return;
      const list = bySelf.get(r.metadata.self.name) ?? [];
      list.push(i);
      bySelf.set(r.metadata.self.name, list);
    });
    for (const [self, indices] of bySelf) {
      const weights = o.selves.weights(self);
      for (let start = 0; start < indices.length; start += 128) {
        const chunk = indices.slice(start, start + 128);
        const scores = await o.model.score(
          chunk.map((i) => ({
            context: records[i]!.metadata.extra!.policyContext as never,
            candidates: records[i]!.decision!.candidates!.map((c) => c.text),
          })),
          weights,
        );
        chunk.forEach((i, j) => {
          out[i] = scores.values[j]!;
        });
      }
    }
    return out;
  }

  /** TD errors of records with the current value estimates; returns them by id. */
  private async tdErrors(records: readonly Experience[]): Promise<Map<string, number>> {
    const values = await this.currentValues(records);
    const byId = new Map(records.map((r, i) => [r.id, values[i]!]));
    const episodes = await this.episodesOf(records);
    const out = new Map<string, number>();
    for (const r of records) {
      const episode = episodes.get(r.episodeId) ?? [r];
      const next = episode.find((e) => e.step === r.step + 1);
      const nextValue = next ? (byId.get(next.id) ?? next.decision?.value ?? 0) : 0;
      out.set(
        r.id,
        tdError({ reward: r.reward, value: byId.get(r.id)!, nextValue, terminal: r.terminal || !next }),
      );
    }
    return out;
  }

  private async episodesOf(records: readonly Experience[]): Promise<Map<string, Experience[]>> {
    const out = new Map<string, Experience[]>();
    for (const id of new Set(records.map((r) => r.episodeId))) {
      const steps = await this.options.store.query({ episodeId: id });
      out.set(
        id,
        steps.sort((a, b) => a.step - b.step),
      );
    }
    return out;
  }

  private learningProgressOf(r: Experience): number {
    return this.teacher.learningProgress({
      environment: r.metadata.environment,
      family: r.metadata.task.family,
      difficulty: r.metadata.task.difficulty,
    });
  }

  private async refreshPriorities(records: readonly Experience[], source: string): Promise<void> {
    const td = await this.tdErrors(records);
    const tdValues = records.map((r) => td.get(r.id)!);
    const lpValues = records.map((r) => this.learningProgressOf(r));
    // One batch: the running scales move once, so equal signals get equal priorities.
    const computed = records.length > 0 ? this.hybrid.compute(tdValues, lpValues) : new Float64Array(0);
    const updates = records.map((r, i) => ({
      id: r.id,
      tdError: tdValues[i]!,
      learningProgress: lpValues[i]!,
      priority: computed[i]!,
      source,
    }));
    await this.options.store.writeSignals(updates);
    const priorityById = new Map(updates.map((u) => [u.id, u.priority]));
    const indices: number[] = [];
    const priorities: number[] = [];
    for (let i = 0; i < this.replay.size; i++) {
      const p = priorityById.get(this.replay.get(i));
      if (p !== undefined) {
        indices.push(i);
        priorities.push(p);
      }
    }
    if (indices.length > 0) this.replay.updatePriorities(indices, priorities);
  }

  private async sleepPhase(cycle: number): Promise<void> {
    const o = this.options;
    const fresh = await o.store.query({ ids: this.state.unsignalled });
    await this.refreshPriorities(fresh, `sleep-${cycle}`);
    this.state.unsignalled = [];
    if (this.replay.size === 0) return;
    const size = Math.min(o.miniBatchSize ?? 128, this.replay.size);
    const sample = this.replay.sample(size);
    const ids = [...new Set(Array.from(sample.indices, (i) => this.replay.get(i)))];
    const picked = await o.store.query({ ids });
    const latest = await o.store.latestSignals(ids);
    const episodes = await this.episodesOf(picked);
    const samples: DiagnosisSample[] = picked.map((r) => {
      const episode = episodes.get(r.episodeId) ?? [r];
      const end = episode[episode.length - 1];
      const url = typeof r.state.data.url === 'string' ? (r.state.data.url as string) : undefined;
      const features = [
        ...(url ? [`page:${url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]}`] : []),
        ...r.metadata.tags
          .filter((t) => !['train', 'heldout', 'adversarial', 'multi-agent', 'collaborative'].includes(t))
          .map((t) => `tag:${t}`),
      ];
      return {
        experienceId: r.id,
        episodeId: r.episodeId,
        self: r.metadata.self.name,
        environment: r.metadata.environment,
        family: r.metadata.task.family,
        features,
        episodeSuccess: end?.outcome === 'success',
        tdError: latest.get(r.id)?.tdError ?? 0,
      };
    });
    const diagnosis = diagnose(samples);
    const objectives: LearningObjective[] = [];
    const usedSelves = new Set<string>();
    const acting = new Set(o.selves.actingSelves());
    for (const group of diagnosis.groups) {
      if (objectives.length >= (o.objectivesPerSleep ?? 2)) break;
      if (group.feature !== null || group.failures === 0 || group.samples < 4) continue;
      if (usedSelves.has(group.self) || !acting.has(group.self)) continue;
      // The objective's data: the sampled steps of the target Self (all its families: one adapter
      // serves them all), plus recent successful steps of the family as contrast.
      const sampled = samples.filter((s) => s.self === group.self).map((s) => s.experienceId);
      const contrast = await this.contrastSteps(group.environment, group.family, new Set(sampled));
      const sampledSuccess = samples.some(
        (s) => s.self === group.self && s.family === group.family && s.episodeSuccess,
      );
      // A family never solved yet gives every step the same return: there is nothing to learn from
      // until exploration finds a success, so the Sleep spends the objective on the next gap.
      if (contrast.length === 0 && !sampledSuccess) continue;
      usedSelves.add(group.self);
      const miniBatchId = String(++this.state.miniBatches);
      const experienceIds = [...sampled, ...contrast];
      const objective = objectiveFromDiagnosis({
        cycle,
        miniBatchId,
        experienceIds,
        diagnosis,
        target: group,
        index: objectives.length,
        now: new Date(Date.UTC(2026, 0, 1) + cycle * 86_400_000),
      });
      if (o.reflector) await reflectOn(o.reflector, objective, diagnosis);
      writeJsonAtomic(join(o.stateDir, 'minibatches', `${miniBatchId}.json`), {
        id: miniBatchId,
        cycle,
        objective: objective.id,
        experienceIds,
        sampled: sampled.length,
        contrast: contrast.length,
        priorities: experienceIds.map((id) => latest.get(id)?.priority ?? null),
      });
      objectives.push(objective);
      o.onEvent?.({ type: 'objective', cycle, objective });
    }
    this.state.pending = objectives;
    this.state.versionsAtSleep = Object.fromEntries(
      [...acting].map((name) => [name, o.selves.version(name)]),
    );
    this.state.current!.objectives = objectives;
  }

  /** Steps of the most recent successful episodes of a family (any Self), not already in `exclude`. */
  private async contrastSteps(environment: string, family: string, exclude: Set<string>): Promise<string[]> {
    const episodes = this.options.contrastEpisodes ?? 24;
    if (episodes <= 0) return [];
    const summaries = await this.options.store.episodes({
      environment,
      taskFamily: family,
      outcome: 'success',
      limit: episodes,
      order: 'desc',
    });
    const out: string[] = [];
    for (const summary of summaries) {
      const steps = await this.options.store.query({
        episodeId: summary.episodeId,
        agentId: summary.agentId,
      });
      for (const r of steps) if (!exclude.has(r.id)) out.push(r.id);
    }
    return out;
  }

  private validationTasks(family: string, environment: string): TaskSpec[] {
    const env = this.environment(environment);
    const info = env.generator.families().find((f) => f.family === family);
    if (!info) return [];
    const n = this.options.validationPerFamily ?? 4;
    const levels = levelsOf(info.difficulties, capFor(this.options.maxDifficulty, environment));
    return Array.from({ length: n }, (_, i) =>
      env.generator.generate({
        family,
        difficulty: levels[i % levels.length]!,
        seed: 900_000 + i,
        split: 'train',
      }),
    );
  }

  private async learnPhase(cycle: number): Promise<void> {
    const o = this.options;
    const outcomes: ObjectiveOutcome[] = [];
    for (const [k, objective] of this.state.pending.entries()) {
      const self = objective.targetSelf;
      const previousVersion = this.state.versionsAtSleep[self] ?? o.selves.version(self);
      // A resumed run may find this objective's version already committed: start again from where
      // the Sleep left the Self, so training (deterministic) ends in the same weights.
      if (o.selves.version(self) !== previousVersion) {
        await o.selves.revert(
          self,
          previousVersion,
          `resuming ${objective.id}: learning restarts from ${previousVersion}`,
        );
      }
      const picked = await o.store.query({ ids: objective.miniBatch.experienceIds });
      const episodes = await this.episodesOf(picked);
      const examples = trainingExamples(picked, episodes);
      const validation = this.validationTasks(objective.family, objective.environment);
      const solved = await o.store.query({
        self,
        outcome: 'success',
        limit: RETENTION_LOOKBACK,
        order: 'desc',
      });
      const others = retentionFamilies(self, objective.family, [...picked, ...solved], o.environments);
      const retention = others.flatMap((f) => this.validationTasks(f.family, f.environment).slice(0, 1));
      const mean = (list: readonly EpisodeResult[]) =>
        list.length ? list.reduce((sum, r) => sum + r.score, 0) / list.length : 0;
      const validate = async (label: string) => {
        o.controller.setMode('exploit');
        const { results } = await evaluate({
          environments: o.environments,
          tasks: [...validation, ...retention],
          policy: o.policy,
          selector: {
            select: async () => ({
              self,
              version: o.selves.version(self),
              reason: 'validation of the target Self',
            }),
          },
          seed: seedFor(o.seed, cycle, 'validation', k),
          label: `c${cycle}-val-${k}-${label}`,
          concurrency: o.evaluationConcurrency ?? 1,
        });
        return {
          results,
          score: mean(results.slice(0, validation.length)),
          retained: mean(results.slice(validation.length)),
        };
      };
      const { score: before, retained: retainedBefore } = await validate('before');
      const weights = o.selves.weights(self);
      const snapshot = weights.parameters().map((p) => p.slice());
      const report = await trainAdapter({
        model: o.model,
        lora: weights,
        examples,
        steps: o.trainingSteps ?? 300,
        seed: seedFor(o.seed, cycle, 'train', k),
        onProgress: (p) => o.onEvent?.({ type: 'training-progress', cycle, self, ...p }),
      });
      const { score: after, retained: retainedAfter, results: afterResults } = await validate('after');
      const tolerance = o.retentionTolerance ?? 0.1;
      const kept = after >= before && retainedAfter >= retainedBefore - tolerance && report.steps > 0;
      if (kept) {
        // The validation episodes are the new version's first record on this family: the
        // controller learns from them, so it routes the family to the Self that was trained for it.
        for (const result of afterResults) await o.controller.observeEpisode(result, { learn: true });
      }
      let version = previousVersion;
      if (kept) {
        // Idempotent per objective: a resumed run gets back the version it committed before.
        version = await o.selves.commit(self, weights, {
          objectiveId: objective.id,
          reason: objective.summary,
        });
      } else {
        for (const [i, p] of weights.parameters().entries()) p.set(snapshot[i]!);
        await o.selves.revert(
          self,
          previousVersion,
          after < before
            ? `validation fell from ${before.toFixed(2)} to ${after.toFixed(2)}`
            : `the Self's other families fell from ${retainedBefore.toFixed(2)} to ${retainedAfter.toFixed(2)}`,
        );
      }
      const outcome: ObjectiveOutcome = {
        objectiveId: objective.id,
        targetSelf: self,
        family: objective.family,
        kept,
        version,
        validationBefore: before,
        validationAfter: after,
        retentionBefore: retainedBefore,
        retentionAfter: retainedAfter,
        policyLossBefore: report.policyLossBefore,
        policyLossAfter: report.policyLossAfter,
        examples: examples.length,
        reason: kept
          ? `kept ${version}: validation ${before.toFixed(2)} -> ${after.toFixed(2)}${retention.length ? `, other families ${retainedBefore.toFixed(2)} -> ${retainedAfter.toFixed(2)}` : ''}, policy loss ${report.policyLossBefore.toFixed(3)} -> ${report.policyLossAfter.toFixed(3)} on ${examples.length} steps`
          : `rolled back to ${previousVersion}: validation ${before.toFixed(2)} -> ${after.toFixed(2)}${retention.length ? `, other families ${retainedBefore.toFixed(2)} -> ${retainedAfter.toFixed(2)}` : ''}`,
      };
      outcomes.push(outcome);
      o.onEvent?.({ type: 'learned', cycle, outcome });
      if (kept) await this.refreshPriorities(picked, `learn-${cycle}-${k}`);
    }
    this.state.pending = [];
    this.state.current!.outcomes = outcomes;
  }
}

/** Run (or resume) Phoenix cycles until `cycles` is reached; returns the final state. */
export async function runPhoenix(options: PhoenixOptions): Promise<PhoenixState> {
  return new PhoenixRun(options).run();
}
