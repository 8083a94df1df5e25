/**
 * One agent's episode in a Minecraft task: observations from its bot, candidate calls, steps
 * through the TAL, and rewards and verdicts computed from the server's state. A step never throws:
 * a bad call, a failed action or a crashed server all come back as structured results.
 */
import type {
  AnyTool,
  CandidateAction,
  DispatchResult,
  EnvironmentSession,
  EpisodeVerdict,
  Observation,
  StepOutcome,
  TaskSpec,
  ToolCall,
} from '@chimera/toolbelt';
import { type BotObservation, inventoryCounts } from '@chimera/toolbelt/mineflayer';
import type { MinecraftServer } from '../server/start-server';
import { judge, progress } from '../tasks/verdict';
import type { PooledBot } from './bot-pool';
import { buildCandidates } from './candidates';
import { minecraftSituation, minecraftSituationClass } from './situation';
import type { TaskInstance } from './task-instance';

/** Shaped reward per unit of progress along the recipe chain (or blueprint). */
const PROGRESS_REWARD = 0.1;

export interface SessionHost {
  /** The server this session's instance lives on, or null once it is gone. */
  serverFor(instance: TaskInstance): MinecraftServer | null;
  /** Resolves when that server exits. */
  serverExit(instance: TaskInstance): Promise<void>;
  /** Ends the session's part in its instance and parks its bot (outside every region). */
  release(session: MinecraftSession): Promise<void>;
}

export interface MinecraftObservationData extends BotObservation {
  role: number;
  partner: string | null;
  /** World position of the task's offset 0,0,0 (goals and blueprints use offsets). */
  origin: [number, number, number];
  step: number;
  maxSteps: number;
  /** Key of this kind of state across task instances, for episodic memory (see situation.ts). */
  situation: string;
  /** The situation without counts (see situation.ts). */
  situationClass: string;
}

const SERVER_DOWN = 'the Minecraft server stopped during the episode';

export class MinecraftSession implements EnvironmentSession {
  readonly task: TaskSpec;
  readonly agentId: string;
  readonly role: number;
  #steps = 0;
  #done = false;
  #closed = false;
  #final: EpisodeVerdict | null = null;

  constructor(
    private readonly host: SessionHost,
    readonly instance: TaskInstance,
    role: number,
    private readonly pooled: PooledBot,
  ) {
    this.task = instance.task;
    this.role = role;
    this.agentId = pooled.agentId;
  }

  get username(): string {
    return this.pooled.username;
  }

  /** The tools this bot's TAL dispatches. */
  get tools(): readonly AnyTool[] {
    return this.pooled.adapter.tools;
  }

  get steps(): number {
    return this.#steps;
  }

  async observe(): Promise<Observation> {
    if (!this.host.serverFor(this.instance) || !this.pooled.bot.entity) {
      return { text: SERVER_DOWN, data: { serverDown: true } };
    }
    const partner = this.instance.partnerOf(this.role);
    const obs = ownEpisode(this.pooled.adapter.observe(), this.pooled.username, partner);
    const o = this.instance.origin;
    const data: MinecraftObservationData = {
      ...obs,
      role: this.role,
      partner,
      origin: [o.x, o.y, o.z],
      step: this.#steps,
      maxSteps: this.task.maxSteps,
      situation: minecraftSituation(obs),
      situationClass: minecraftSituationClass(obs),
    };
    // The text gives positions from the task's origin: which region a task runs in depends on what
    // else runs at the time, and a policy reading absolute coordinates would see a different
    // episode in each region.
    const lines = [
      this.pooled.adapter.render(relativeTo(obs, o)),
      `step ${this.#steps}/${this.task.maxSteps}`,
    ];
    if (partner) lines.push(`partner: ${partner}`);
    return { text: lines.join('\n'), data: data as unknown as Record<string, unknown> };
  }

  candidates(observation: Observation): CandidateAction[] {
    const data = observation.data as Partial<MinecraftObservationData>;
    if (this.#done || !data.position) return [];
    const objective = this.instance.params.objective;
    const o = this.instance.origin;
    const bot = this.pooled.bot;
    const blueprintRemaining =
      objective.kind === 'blueprint'
        ? objective.blocks.filter((b) => {
            const block = bot.blockAt(bot.entity.position.clone().set(o.x + b.x, o.y + b.y, o.z + b.z));
            return block?.name !== b.name;
          })
        : [];
    return buildCandidates({
      params: this.instance.params,
      origin: o,
      observation: data as BotObservation,
      partner: data.partner ?? null,
      blueprintRemaining,
    });
  }

  async step(call: ToolCall): Promise<StepOutcome> {
    const started = performance.now();
    if (this.#done || this.#closed) {
      return this.#outcome(
        fail(call, 'environment_error', 'the episode is over: start a new one', started),
        0,
        true,
        false,
        await this.observe(),
      );
    }
    const server = this.host.serverFor(this.instance);
    if (!server) return this.#serverDown(call, started);
    this.#steps++;
    const exited = this.host.serverExit(this.instance).then(() => null);
    const result = await Promise.race([
      this.pooled.tal.dispatch(call, { metadata: { taskId: this.task.id, agentId: this.agentId } }),
      exited,
    ]);
    if (!result || !this.host.serverFor(this.instance)) return this.#serverDown(call, started);

    let verdict: EpisodeVerdict;
    let shaped = 0;
    try {
      await serverCaughtUp(server, this.pooled);
      const snapshot = await this.instance.snapshot(server);
      verdict = judge(this.instance.params, snapshot);
      const now = progress(this.instance.params, snapshot, this.instance.reached);
      shaped = Math.max(0, now - this.instance.progress) * PROGRESS_REWARD;
      this.instance.progress = Math.max(this.instance.progress, now);
    } catch {
      return this.#serverDown(call, started);
    }
    if (verdict.success) this.instance.solved ??= verdict;
    // A partner may have solved the task meanwhile (the verdict is joint).
    if (!verdict.success && this.instance.solved) verdict = this.instance.solved;
    const outOfSteps = this.#steps >= this.task.maxSteps;
    const done = verdict.success || outOfSteps;
    if (done) {
      this.#done = true;
      this.#final = verdict;
    }
    return this.#outcome(
      result,
      done ? verdict.score : shaped,
      done,
      done && !verdict.success,
      await this.observe(),
      {
        verdict,
      },
    );
  }

  async verdict(): Promise<EpisodeVerdict> {
    if (this.#final) return this.#final;
    if (this.instance.solved) return this.instance.solved;
    const server = this.host.serverFor(this.instance);
    if (!server) return { success: false, score: 0, detail: SERVER_DOWN };
    try {
      return judge(this.instance.params, await this.instance.snapshot(server));
    } catch {
      return { success: false, score: 0, detail: SERVER_DOWN };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.host.release(this);
  }

  #serverDown(call: ToolCall, started: number): StepOutcome {
    this.#done = true;
    this.#final = { success: false, score: 0, detail: SERVER_DOWN };
    return this.#outcome(
      fail(call, 'environment_error', SERVER_DOWN, started),
      0,
      true,
      true,
      { text: SERVER_DOWN, data: { serverDown: true } },
      { serverDown: true },
    );
  }

  #outcome(
    result: DispatchResult,
    reward: number,
    done: boolean,
    truncated: boolean,
    observation: Observation,
    info?: Record<string, unknown>,
  ): StepOutcome {
    return info
      ? { observation, reward, done, truncated, result, info }
      : { observation, reward, done, truncated, result };
  }
}

/** How long a verdict waits for the server to apply what the bot already shows. */
const CATCH_UP_MS = 1_000;

/**
 * Waits (briefly) until the server's inventory of the bot matches the bot's own view. A tool
 * returns once the bot sees its effect, and mineflayer applies some effects (a craft's result)
 * before the server has read the packets. A verdict taken from the server in between would judge
 * the step before the action, sooner or later depending on how loaded the machine is.
 */
export async function serverCaughtUp(server: MinecraftServer, pooled: PooledBot): Promise<void> {
  const deadline = performance.now() + CATCH_UP_MS;
  for (;;) {
    const onServer = await server.inventory(pooled.username).catch(() => null);
    if (!onServer || sameCounts(inventoryCounts(pooled.bot), onServer) || performance.now() > deadline)
      return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Whether two item counts agree (a missing name counts as 0). */
export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if ((a[name] ?? 0) !== (b[name] ?? 0)) return false;
  return true;
}

function fail(call: ToolCall, code: 'environment_error', message: string, started: number): DispatchResult {
  const result: DispatchResult = {
    ok: false,
    tool: call.tool,
    error: { code, message },
    durationMs: performance.now() - started,
  };
  if (call.id !== undefined) result.callId = call.id;
  return result;
}

/**
 * What the bot perceives of its own episode: players and chat of other episodes (bots in nearby
 * regions, or idle ones waiting for their next task) are left out. They are not part of the task,
 * and what a policy reads must not depend on what else happens to run at the same time.
 */
export function ownEpisode(obs: BotObservation, self: string, partner: string | null): BotObservation {
  const known = (name: string) => name === self || name === partner;
  return {
    ...obs,
    nearbyEntities: obs.nearbyEntities.filter((e) => e.kind !== 'player' || known(e.name)),
    chat: obs.chat.filter((c) => known(c.from)),
  };
}

/** The observation with every position given from `origin` (the task's offset 0,0,0). */
export function relativeTo(obs: BotObservation, origin: { x: number; y: number; z: number }): BotObservation {
  const shift = ([x, y, z]: [number, number, number]): [number, number, number] => [
    round1(x - origin.x),
    round1(y - origin.y),
    round1(z - origin.z),
  ];
  return {
    ...obs,
    position: shift(obs.position),
    nearbyBlocks: obs.nearbyBlocks.map((b) => ({ ...b, nearest: shift(b.nearest) })),
    nearbyEntities: obs.nearbyEntities.map((e) => ({ ...e, position: shift(e.position) })),
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
