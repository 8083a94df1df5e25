/**
 * `run` and `eval`: the whole system wired together. Embedded worlds (task website + Chromium,
 * offline Minecraft server + bots), the experience store on SQLite, the System of Selves on
 * chimera-nano (4-bit hybrid-quantized base unless --full-precision), the Meta-Cognitive
 * Controller, prioritized replay and QuZO inside the Phoenix cycle, the curriculum teacher, and a
 * collaborative Minecraft session plus an adversarial web session every cycle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  type Controller,
  capFor,
  type DifficultyCap,
  EmbeddedPolicy,
  type EpisodeResult,
  EpisodicMemory,
  evaluate,
  heldoutTasks,
  levelsOf,
  type PhoenixEvent,
  type PhoenixState,
  type Policy,
  RandomPolicy,
  readJson,
  runPhoenix,
  writeJsonAtomic,
} from '@chimera/phoenix';
import type { Environment } from '@chimera/toolbelt';
import { SqliteExperienceStore } from '@chimera/ues';
import type { CliOptions } from './cli';
import { writeReport } from './commands/report';
import { languageModelSetup } from './language-model';
import type { CycleMetrics, FamilyScore, RunMetrics } from './metrics';
import { buildModel, memoryPlanLines } from './model';
import { ProgressReporter } from './progress';
import { createAgentSelves } from './selves';
import { startWorlds } from './worlds';

export interface RunPreset {
  episodesPerCycle: number;
  /** Held-out tasks per family that needs experience (what the run's claim is measured on). */
  heldoutPerFamily: number;
  /** Held-out tasks per lexical family (checked for no regression). */
  heldoutPerLexicalFamily: number;
  /** Highest task difficulty of the curriculum and the evaluations (one, or one per environment). */
  maxDifficulty: DifficultyCap;
  /** Evaluation episodes run at once. */
  evaluationConcurrency: number;
  validationPerFamily: number;
  trainingSteps: number;
  adversarialEpisodes: number;
  miniBatchSize: number;
}

export const DEFAULT_PRESET: RunPreset = {
  episodesPerCycle: 64,
  heldoutPerFamily: 3,
  heldoutPerLexicalFamily: 1,
  // Level 0 everywhere: three cycles learn more on the first rungs than spread over all. (Minecraft's
  // level 1 starts one step back in each recipe chain; `--max-difficulty 1` runs it, see the README.)
  maxDifficulty: 0,
  evaluationConcurrency: 3,
  validationPerFamily: 2,
  trainingSteps: 300,
  adversarialEpisodes: 2,
  miniBatchSize: 128,
};

export const QUICK_PRESET: RunPreset = {
  episodesPerCycle: 8,
  heldoutPerFamily: 1,
  heldoutPerLexicalFamily: 1,
  maxDifficulty: 0,
  evaluationConcurrency: 3,
  validationPerFamily: 1,
  trainingSteps: 60,
  adversarialEpisodes: 1,
  miniBatchSize: 64,
};

function toMetricsScores(
  scores: readonly {
    environment: string;
    family: string;
    needsExperience: boolean;
    episodes: number;
    successes: number;
    rate: number;
  }[],
): FamilyScore[] {
  return scores.map((s) => ({
    environment: s.environment,
    family: s.family,
    needsExperience: s.needsExperience,
    episodes: s.episodes,
    successes: s.successes,
    rate: s.rate,
  }));
}

/** One held-out episode as eval-episodes.jsonl writes it: the task, the outcome and every step. */
export function episodeTrace(r: EpisodeResult) {
  return {
    task: r.task.id,
    family: r.task.family,
    goal: r.task.goal,
    success: r.success,
    score: r.score,
    steps: r.records.map((rec) => ({
      self: rec.metadata.self.name,
      action: rec.decision?.candidates?.[rec.decision.chosenIndex ?? -1]?.text,
      reward: rec.reward,
      situation: rec.state.data.situation,
    })),
    ...(r.error ? { error: r.error } : {}),
  };
}

function episodeIndex(r: EpisodeResult): number {
  return Number(r.episodeId.slice(r.episodeId.lastIndexOf('-') + 1));
}

/** Writes episode traces as JSON lines (one episode each), creating the folder. */
function writeTraces(path: string, traces: readonly ReturnType<typeof episodeTrace>[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, traces.map((t) => `${JSON.stringify(t)}\n`).join(''));
}

function pct(v: number): string {
  return `${(100 * v).toFixed(0)}%`;
}

function rate(scores: readonly FamilyScore[], filter: (s: FamilyScore) => boolean): number {
  const picked = scores.filter(filter);
  const n = picked.reduce((s, f) => s + f.episodes, 0);
  return n === 0 ? 0 : picked.reduce((s, f) => s + f.successes, 0) / n;
}

export async function runAgent(options: CliOptions): Promise<number> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const progress = new ProgressReporter(options.mode);
  const preset = { ...(options.quick ? QUICK_PRESET : DEFAULT_PRESET) };
  if (options.episodes !== undefined) preset.episodesPerCycle = options.episodes;
  if (options.maxDifficulty !== undefined) preset.maxDifficulty = options.maxDifficulty;
  const heldoutPerFamily = (info: { needsExperience: boolean }) =>
    info.needsExperience ? preset.heldoutPerFamily : preset.heldoutPerLexicalFamily;
  const say = (type: string, line: string, data: Record<string, unknown> = {}) =>
    progress.event({ type, ...data }, line);
  const closers: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    progress.done();
    process.stderr.write('\ninterrupted: state is on disk; run the same command again to resume\n');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const started = Date.now();
    say(
      'start',
      `chimera reference agent: ${options.command} on ${options.env}, seed ${options.seed}, output ${out}`,
    );
    const memoryPlan = await memoryPlanLines();
    for (const line of memoryPlan) say('memory-plan', line);

    const model = await buildModel({
      fullPrecision: options.fullPrecision,
      seed: options.seed,
      cacheDir: join(out, 'model'),
    });
    closers.push(() => model.model.release());
    say('model', `policy model: ${model.description}`, { quantization: model.quantization });

    const worlds = await startWorlds(options.env, { onLog: (line) => say('world', line) });
    closers.push(() => worlds.close());
    const environments: Environment[] = worlds.environments;

    const store = await SqliteExperienceStore.open(join(out, 'experiences.sqlite'));
    closers.push(() => store.close());
    const selves = await createAgentSelves({
      dir: join(out, 'selves'),
      model: model.model,
      store,
      seed: options.seed,
    });
    say('selves', `selves: ${selves.host.actingSelves().join(', ')} (+ ${selves.internal.join(', ')})`);

    // The agent's episodic memory of its own training experience (filled by the Phoenix cycle).
    const memory = options.noMemory ? undefined : new EpisodicMemory();
    const policy = new EmbeddedPolicy({
      model: model.model,
      adapterFor: (self) => selves.host.weights(self),
      ...(memory ? { memory } : {}),
    });
    const families = (env: string, family: string) =>
      worlds.families(env, family) &&
      (!options.families ||
        options.families.includes(family) ||
        options.families.includes(`${env}/${family}`));
    const familyInfo = (env: string, family: string) =>
      environments
        .find((e) => e.name === env)
        ?.generator.families()
        .find((f) => f.family === family);

    if (options.command === 'eval') {
      // Evaluate the agent as the run left it: its Selves and its episodic memory.
      const saved = readJson<PhoenixState>(join(out, 'phoenix-state.json'));
      if (memory && saved?.memory) memory.load(saved.memory);
      const tasks = heldoutTasks(environments, {
        perFamily: heldoutPerFamily,
        seed: options.seed,
        families,
        maxDifficulty: preset.maxDifficulty,
      });
      selves.controller.setMode('exploit');
      let evalPolicy: Policy = policy;
      if (options.backend !== 'embedded') {
        const lm = await languageModelSetup(options.backend, environments, {
          ...(options.selvesGguf ? { selvesGguf: options.selvesGguf } : {}),
          ...(options.servedModel ? { servedModel: options.servedModel } : {}),
        });
        closers.push(() => lm.close());
        evalPolicy = lm.policy;
        say('model', `evaluating with a language model: ${lm.description}`, {
          backend: options.backend,
          description: lm.description,
        });
      }
      const { scores, results } = await evaluate({
        environments,
        tasks,
        policy: evalPolicy,
        selector: selves.controller,
        seed: options.seed,
        label: 'eval',
        concurrency: preset.evaluationConcurrency,
        onEpisode: (r, i, n) =>
          progress.update({ phase: 'eval', episode: i + 1, episodes: n, activeSelf: r.selvesUsed.at(-1) }),
      });
      progress.done();
      for (const s of scores)
        say('eval', `${s.environment}/${s.family}: ${pct(s.rate)} (${s.successes}/${s.episodes})`, { ...s });
      writeFileSync(join(out, 'eval.json'), `${JSON.stringify(scores, null, 2)}\n`);
      // What the agent did in each held-out episode, one JSON line each: the steps a score comes from.
      writeTraces(join(out, 'eval-episodes.jsonl'), results.map(episodeTrace));
      return 0;
    }

    // The random policy's held-out score: the baseline every learning claim is compared with.
    const randomPath = join(out, 'random-baseline.json');
    let randomBaseline = readJson<FamilyScore[]>(randomPath);
    if (!randomBaseline) {
      say('phase', 'random-policy baseline on the held-out tasks');
      const tasks = heldoutTasks(environments, {
        perFamily: heldoutPerFamily,
        seed: options.seed,
        families,
        maxDifficulty: preset.maxDifficulty,
      });
      const { scores } = await evaluate({
        environments,
        tasks,
        policy: new RandomPolicy(),
        // The random policy ignores the Self. The controller is kept out of it: its Thompson draws
        // in three concurrent episodes would depend on their interleaving, and cycle 1 would not
        // start from the same controller state in two runs of the same seed.
        selector: {
          select: async () => {
            const self = selves.host.actingSelves()[0]!;
            return { self, version: selves.host.version(self), reason: 'random baseline: any Self' };
          },
        },
        seed: options.seed + 17,
        label: 'random',
        explore: true,
        concurrency: preset.evaluationConcurrency,
        onEpisode: (_r, i, n) => progress.update({ phase: 'random baseline', episode: i + 1, episodes: n }),
      });
      randomBaseline = toMetricsScores(scores);
      writeJsonAtomic(randomPath, randomBaseline);
    }

    const metricsPath = join(out, 'metrics.json');
    const swapStart = selves.swapStats();
    const writeMetrics = (state: PhoenixState) => {
      const cycles: CycleMetrics[] = state.cycles.map((c) => ({
        cycle: c.cycle,
        heldout: toMetricsScores(c.heldout),
        training: toMetricsScores(c.training),
        perSelf: c.perSelf,
        objectives: [
          ...c.objectives.map((o) => {
            const outcome = c.outcomes.find((x) => x.objectiveId === o.id);
            return {
              id: o.id,
              cycle: o.cycle,
              targetSelf: o.targetSelf,
              summary: o.summary,
              evidence: o.evidence as unknown as Record<string, unknown>,
              kept: outcome?.kept ?? false,
              outcome: outcome?.reason ?? 'not learned yet',
            };
          }),
        ],
        swaps: { count: c.swaps, meanLatencyMs: selves.swapStats().meanLatencyMs },
        timings: c.timings,
        memoryMb: {
          rss: process.memoryUsage().rss / 2 ** 20,
          heapUsed: process.memoryUsage().heapUsed / 2 ** 20,
        },
        multiAgent: c.multiAgent,
      }));
      const metrics: RunMetrics = {
        version: 1,
        seed: options.seed,
        startedAt: new Date(started).toISOString(),
        config: { env: options.env, quick: options.quick, quantization: model.quantization, ...preset },
        memoryPlan,
        randomBaseline: randomBaseline!,
        cycles,
      };
      writeJsonAtomic(metricsPath, metrics);
    };

    // Held-out episodes of the evaluation in progress; written whole at its end (a resumed cycle
    // evaluates again and rewrites the file).
    let heldoutEpisodes: EpisodeResult[] = [];
    const onEvent = (e: PhoenixEvent) => {
      switch (e.type) {
        case 'resumed':
          if (e.cycle > 0 || e.phase !== 'baseline')
            say('resumed', `resuming at cycle ${e.cycle}, phase ${e.phase}`, e);
          break;
        case 'phase-start':
          progress.update({
            cycle: e.cycle,
            cycles: options.cycles,
            phase: e.phase,
            episode: undefined,
            episodes: undefined,
          });
          say('phase', `cycle ${e.cycle}: ${e.phase}`, e);
          break;
        case 'episode':
          if (e.phase === 'baseline' || e.phase === 'evaluate') heldoutEpisodes.push(e.result);
          progress.update({
            episode: e.index + 1,
            episodes: e.total,
            activeSelf: e.result.selvesUsed.at(-1),
          });
          if (options.mode === 'jsonl')
            progress.event({
              type: 'episode',
              cycle: e.cycle,
              phase: e.phase,
              task: e.result.task.id,
              family: e.result.task.family,
              success: e.result.success,
              steps: e.result.steps,
              selves: e.result.selvesUsed,
            });
          break;
        case 'objective':
          say('objective', `  sleep: ${e.objective.summary}`, { objective: e.objective });
          break;
        case 'training-progress':
          progress.update({ note: `QuZO ${e.self} step ${e.step + 1}/${e.steps} loss ${e.loss.toFixed(3)}` });
          break;
        case 'learned':
          progress.update({ note: undefined });
          say('learned', `  wake: ${e.outcome.targetSelf}: ${e.outcome.reason}`, { outcome: e.outcome });
          break;
        case 'evaluation': {
          // In task order (episode ids end in the task's index), not the order concurrent episodes finished.
          heldoutEpisodes.sort((a, b) => episodeIndex(a) - episodeIndex(b));
          writeTraces(join(out, 'heldout', `cycle-${e.cycle}.jsonl`), heldoutEpisodes.map(episodeTrace));
          heldoutEpisodes = [];
          const exp = rate(toMetricsScores(e.scores), (s) => s.needsExperience);
          const lex = rate(toMetricsScores(e.scores), (s) => !s.needsExperience);
          progress.update({ successRate: exp });
          say(
            'evaluation',
            `  held-out after cycle ${e.cycle}: needs-experience ${pct(exp)}, lexical ${pct(lex)}`,
            {
              cycle: e.cycle,
              needsExperience: exp,
              lexical: lex,
            },
          );
          break;
        }
        case 'phase-end':
          break;
      }
    };

    const state = await runPhoenix({
      stateDir: out,
      environments,
      store,
      model: model.model,
      policy,
      controller: selves.controller,
      selves: selves.host,
      cycles: options.cycles,
      seed: options.seed,
      episodesPerCycle: preset.episodesPerCycle,
      heldoutPerFamily,
      maxDifficulty: preset.maxDifficulty,
      evaluationConcurrency: preset.evaluationConcurrency,
      validationPerFamily: preset.validationPerFamily,
      trainingSteps: preset.trainingSteps,
      miniBatchSize: preset.miniBatchSize,
      objectivesPerSleep: 4,
      families,
      ...(memory ? { memory } : {}),
      curriculum: {
        // Families that need experience are what the run is for: practice leans toward them, and
        // away from arms already mastered.
        // Per family, shared by its levels: a family with two levels is not practised twice as much.
        prior: (arm) => {
          const info = familyInfo(arm.environment, arm.family);
          return (
            (info?.needsExperience ? 6 : 1) /
            levelsOf(info?.difficulties ?? [arm.difficulty], capFor(preset.maxDifficulty, arm.environment))
              .length
          );
        },
        masteredWeight: 0.2,
        uniformMix: 0.1,
      },
      multiAgent: {
        ...(worlds.collaborative
          ? { collaborative: { ...worlds.collaborative, partner: selves.partner as Controller } }
          : {}),
        ...(worlds.adversarialEnvironment
          ? {
              adversarial: {
                environment: worlds.adversarialEnvironment,
                episodes: preset.adversarialEpisodes,
              },
            }
          : {}),
      },
      onEvent: (e) => {
        onEvent(e);
        if (e.type === 'phase-end' && (e.phase === 'evaluate' || e.phase === 'baseline')) {
          const saved = readJson<PhoenixState>(join(out, 'phoenix-state.json'));
          if (saved) writeMetrics({ ...saved, cycles: saved.cycles });
        }
      },
    });
    writeMetrics(state);
    progress.done();
    const report = writeReport(out);
    const first = state.cycles[0]!;
    const last = state.cycles[state.cycles.length - 1]!;
    const exp = (s: FamilyScore) => s.needsExperience;
    const lex = (s: FamilyScore) => !s.needsExperience;
    say(
      'summary',
      [
        '',
        `done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${state.cycles.length - 1} cycle(s), ${await store.count()} experiences, ${selves.swapStats().count - swapStart.count} adapter swaps`,
        `held-out success, families that need experience: cycle 0 ${pct(rate(toMetricsScores(first.heldout), exp))} -> cycle ${last.cycle} ${pct(rate(toMetricsScores(last.heldout), exp))} (random policy ${pct(rate(randomBaseline, exp))})`,
        `held-out success, lexical families:              cycle 0 ${pct(rate(toMetricsScores(first.heldout), lex))} -> cycle ${last.cycle} ${pct(rate(toMetricsScores(last.heldout), lex))} (random policy ${pct(rate(randomBaseline, lex))})`,
        `report: ${report}`,
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    progress.done();
    if (!interrupted) process.stderr.write(`chimera-agent: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}
