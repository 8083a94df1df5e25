/**
 * Wake, acting: one episode of one agent. Observe, let the selector (the Meta-Cognitive
 * Controller) pick the Self, let the policy choose among the environment's candidate tool calls,
 * dispatch through the environment's TAL, record the experience, until done or out of steps.
 * The runner never throws for a bad action (the TAL returns it as data); an environment that
 * crashes mid-episode ends the episode as truncated and the caller goes on.
 */
import type { Environment, EnvironmentSession, Observation, TaskSpec } from '@chimera/toolbelt';
import type { ExperienceInput } from '@chimera/ues';
import type { SeededRandomLike } from './curriculum/random';
import type { Policy } from './policy';

export interface SelfChoice {
  self: string;
  version: string;
  reason: string;
  scores?: Record<string, number>;
}

/** Picks the Self for each step (the MCC, or a fixed Self). */
export interface SelfSelector {
  select(request: {
    task: TaskSpec;
    step: number;
    observation: Observation;
    history: string[];
  }): Promise<SelfChoice>;
}

export interface EpisodeOptions {
  environment: Environment;
  task: TaskSpec;
  policy: Policy;
  selector: SelfSelector;
  random: SeededRandomLike;
  /** Deterministic id, so a resumed run writes the same records. */
  episodeId: string;
  agentId?: string;
  explore: boolean;
  /** An already started session (multi-agent sessions start theirs together). */
  session?: EnvironmentSession;
  /**
   * Tries at starting the episode (default 2): a start or first observation that throws is closed
   * and tried again on a new session before the episode counts as failed. 1 turns retries off.
   */
  startAttempts?: number;
  tags?: string[];
  /** Called after every step (progress output). */
  onStep?: (info: { step: number; self: string; action: string; reward: number }) => void;
}

export interface EpisodeResult {
  episodeId: string;
  task: TaskSpec;
  success: boolean;
  score: number;
  steps: number;
  episodeReturn: number;
  truncated: boolean;
  selvesUsed: string[];
  /** Self changes within the episode. */
  swaps: number;
  records: ExperienceInput[];
  error?: string;
}

function actionText(call: { tool: string; args: unknown }): string {
  const args = JSON.stringify(call.args ?? {});
  return `${call.tool} ${args.length > 80 ? `${args.slice(0, 77)}...` : args}`;
}

export async function runEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
  const { task, policy, selector, random } = options;
  const agentId = options.agentId ?? 'agent-0';
  const records: ExperienceInput[] = [];
  const history: string[] = [];
  const selves: string[] = [];
  let swaps = 0;
  let session: EnvironmentSession | undefined = options.session;
  let episodeReturn = 0;
  let truncated = false;
  let finished = false;
  let error: string | undefined;
  let observation: Observation;
  let finalVerdict: { success: boolean; score: number } | undefined;
  // A start that fails (a bot that lost its connection, a server hiccup) happened before the agent
  // did anything: it is tried again on a new session, so an environment error is not scored as
  // the agent's failure. A session given by the caller is not restarted.
  const attempts = options.session ? 1 : Math.max(1, options.startAttempts ?? 2);
  for (let attempt = 1; ; attempt++) {
    try {
      session ??= await options.environment.start(task, { agentId });
      observation = await session.observe();
      break;
    } catch (e) {
      if (!options.session && session) {
        await session.close().catch(() => {});
        session = undefined;
      }
      if (attempt < attempts) continue;
      return {
        episodeId: options.episodeId,
        task,
        success: false,
        score: 0,
        steps: 0,
        episodeReturn: 0,
        truncated: true,
        selvesUsed: [],
        swaps: 0,
        records,
        error: `environment failed to start the episode${attempts > 1 ? ` (${attempts} tries)` : ''}: ${(e as Error).message}`,
      };
    }
  }
  for (let step = 0; step < task.maxSteps && !finished; step++) {
    const startedAt = new Date().toISOString();
    const choice = await selector.select({ task, step, observation, history });
    if (selves.length > 0 && selves[selves.length - 1] !== choice.self) swaps++;
    if (!selves.includes(choice.self) || selves[selves.length - 1] !== choice.self) selves.push(choice.self);
    const candidates = session.candidates(observation);
    if (candidates.length === 0) {
      truncated = true;
      error = 'the environment offered no candidate actions';
      break;
    }
    const decision = await policy.decide({
      task,
      self: choice.self,
      observation,
      history,
      candidates,
      explore: options.explore,
      uniform: random.next(),
    });
    const candidate = candidates[decision.index]!;
    let outcome: Awaited<ReturnType<EnvironmentSession['step']>>;
    try {
      outcome = await session.step(candidate.call);
    } catch (e) {
      // Environments should not throw; if one does (a crashed browser or server), the episode is cut.
      truncated = true;
      error = `environment crashed during a step: ${(e as Error).message}`;
      break;
    }
    episodeReturn += outcome.reward;
    const lastStep = outcome.done || outcome.truncated || step === task.maxSteps - 1;
    if (lastStep) {
      finalVerdict = await session.verdict().catch(() => ({ success: false, score: 0 }));
      finished = true;
      truncated = !outcome.done;
    }
    records.push({
      id: `${options.episodeId}-${agentId}-${step}`,
      episodeId: options.episodeId,
      step,
      agentId,
      state: { data: observation.data as never, text: observation.text },
      action: { call: candidate.call as never, result: outcome.result as never },
      reward: outcome.reward,
      nextState: { data: outcome.observation.data as never, text: outcome.observation.text },
      terminal: lastStep && outcome.done,
      truncated: lastStep && !outcome.done,
      ...(lastStep
        ? {
            outcome: outcome.done ? (finalVerdict!.success ? 'success' : 'failure') : 'truncated',
            episodeReturn,
          }
        : {}),
      decision: {
        candidates: candidates.map((c) => ({ text: c.text, call: c.call as never })),
        chosenIndex: decision.index,
        logProb: decision.logProb,
        value: decision.value,
        policy: policy.name,
      },
      metadata: {
        environment: task.environment,
        self: { name: choice.self, version: choice.version },
        task: { id: task.id, goal: task.goal, family: task.family, difficulty: task.difficulty },
        ...(decision.thought ? { thoughtProcess: decision.thought } : {}),
        timestamps: { startedAt, endedAt: new Date().toISOString() },
        tags: [...task.tags, ...(options.tags ?? [])],
        mcc: {
          chosenSelf: choice.self,
          reason: choice.reason,
          ...(choice.scores ? { scores: choice.scores } : {}),
        },
        extra: {
          policyContext: decision.context as never,
          split: task.split,
          needsExperience: task.needsExperience,
        },
      },
    });
    history.push(candidate.text);
    options.onStep?.({ step, self: choice.self, action: candidate.text, reward: outcome.reward });
    observation = outcome.observation;
  }
  finalVerdict ??= await session.verdict().catch(() => ({ success: false, score: 0 }));
  const last = records[records.length - 1];
  if (!finished && last) {
    // The loop ended without a final step record (no candidates, crash): mark the last record as the cut.
    last.truncated = true;
    last.terminal = false;
    last.outcome = 'truncated';
    last.episodeReturn = episodeReturn;
  }
  const success = last?.outcome === 'success';
  const score = success ? 1 : finalVerdict.score;
  if (!options.session) await session.close().catch(() => undefined);
  return {
    episodeId: options.episodeId,
    task,
    success,
    score,
    steps: records.length,
    episodeReturn,
    truncated,
    selvesUsed: selves,
    swaps,
    records,
    ...(error ? { error } : {}),
  };
}

export { actionText };
