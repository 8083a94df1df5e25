/**
 * Held-out evaluation: fixed held-out tasks per family, the policy's best action at every step
 * (no exploration), no learning. The same task list every cycle, so cycles are comparable.
 */
import type { Environment, TaskFamilyInfo, TaskSpec } from '@chimera/toolbelt';
import { Mulberry32 } from './curriculum/random';
import { type EpisodeResult, runEpisode, type SelfSelector } from './episode-runner';
import { PhoenixError } from './errors';
import type { Policy } from './policy';

export interface FamilyScore {
  environment: string;
  family: string;
  needsExperience: boolean;
  episodes: number;
  successes: number;
  rate: number;
  meanScore: number;
}

/**
 * Highest task difficulty a run uses: one cap for every environment, or one per environment name
 * (an environment absent from the record uses all its levels).
 */
export type DifficultyCap = number | Readonly<Record<string, number>>;

/** The cap that applies to one environment. */
export function capFor(cap: DifficultyCap | undefined, environment: string): number | undefined {
  return typeof cap === 'object' ? cap[environment] : cap;
}

/** The levels of a family a run uses (never empty: a family whose lowest level is above the cap keeps it). */
export function levelsOf(difficulties: readonly number[], maxDifficulty?: number): number[] {
  if (maxDifficulty === undefined) return [...difficulties];
  const kept = difficulties.filter((d) => d <= maxDifficulty);
  return kept.length > 0 ? kept : [Math.min(...difficulties)];
}

/** The held-out task list: `perFamily` tasks for each family and difficulty of each environment. */
export function heldoutTasks(
  environments: readonly Environment[],
  options: {
    /** Tasks per family, or a count per family (e.g. more for the families that need experience). */
    perFamily: number | ((info: TaskFamilyInfo) => number);
    seed: number;
    families?: (env: string, family: string) => boolean;
    /** Highest difficulty used (a family whose lowest level is above it keeps that level). */
    maxDifficulty?: DifficultyCap;
  },
): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  for (const env of environments) {
    for (const info of env.generator.families()) {
      if (options.families && !options.families(env.name, info.family)) continue;
      const count = typeof options.perFamily === 'number' ? options.perFamily : options.perFamily(info);
      for (let i = 0; i < count; i++) {
        const levels = levelsOf(info.difficulties, capFor(options.maxDifficulty, env.name));
        const difficulty = levels[i % levels.length]!;
        tasks.push(
          env.generator.generate({
            family: info.family,
            difficulty,
            seed: options.seed * 1000 + i,
            split: 'heldout',
          }),
        );
      }
    }
  }
  return tasks;
}

export function scoreByFamily(results: readonly EpisodeResult[]): FamilyScore[] {
  const groups = new Map<string, EpisodeResult[]>();
  for (const r of results) {
    const k = `${r.task.environment}/${r.task.family}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((list) => {
    const t = list[0]!.task;
    const successes = list.filter((r) => r.success).length;
    return {
      environment: t.environment,
      family: t.family,
      needsExperience: t.needsExperience,
      episodes: list.length,
      successes,
      rate: successes / list.length,
      meanScore: list.reduce((s, r) => s + r.score, 0) / list.length,
    };
  });
}

export async function evaluate(options: {
  environments: readonly Environment[];
  tasks: readonly TaskSpec[];
  policy: Policy;
  selector: SelfSelector;
  seed: number;
  label: string;
  explore?: boolean;
  /**
   * Episodes run at once per environment (default 1), capped by the environment's
   * `maxConcurrentSessions`; each worker acts as its own agent id. Evaluation learns nothing, so an
   * episode depends on its task, its seeded stream and the environment: web results are the same at
   * any concurrency, while Minecraft outcomes can also move with server timing. The selector's
   * choice must follow from the task and observation alone (the MCC in exploit mode does).
   */
  concurrency?: number;
  onEpisode?: (result: EpisodeResult, index: number, total: number) => void;
}): Promise<{ scores: FamilyScore[]; results: EpisodeResult[] }> {
  const results = new Array<EpisodeResult>(options.tasks.length);
  let finished = 0;
  const run = async (i: number, environment: Environment, worker: number) => {
    const task = options.tasks[i]!;
    const result = await runEpisode({
      environment,
      task,
      // Each worker is its own agent: an environment runs one episode per agent at a time.
      agentId: `agent-${worker}`,
      policy: options.policy,
      selector: options.selector,
      random: new Mulberry32(options.seed + i * 7919),
      episodeId: `${options.label}-${i}`,
      explore: options.explore ?? false,
      tags: ['heldout'],
    });
    results[i] = result;
    options.onEpisode?.(result, finished++, options.tasks.length);
  };
  // One queue per environment, each with its own worker count (an environment may allow only one
  // episode at a time); the environments' queues run side by side.
  const queues = new Map<Environment, number[]>();
  options.tasks.forEach((task, i) => {
    const environment = options.environments.find((e) => e.name === task.environment);
    if (!environment)
      throw new PhoenixError(
        `no environment named ${task.environment} for task ${task.id} (have ${options.environments.map((e) => e.name).join(', ')})`,
      );
    queues.set(environment, [...(queues.get(environment) ?? []), i]);
  });
  const requested = Math.max(1, options.concurrency ?? 1);
  if (requested === 1) {
    for (const [environment, indices] of queues) for (const i of indices) await run(i, environment, 0);
    return { scores: scoreByFamily(results), results };
  }
  await Promise.all(
    [...queues].flatMap(([environment, indices]) => {
      const workers = Math.max(
        1,
        Math.min(requested, environment.maxConcurrentSessions ?? requested, indices.length),
      );
      // Worker w takes every workers-th task from the w-th: which agent runs an episode follows from
      // the task list, not from which worker happened to finish first.
      const worker = async (w: number) => {
        for (let j = w; j < indices.length; j += workers) await run(indices[j]!, environment, w);
      };
      return Array.from({ length: workers }, (_, w) => worker(w));
    }),
  );
  return { scores: scoreByFamily(results), results };
}
