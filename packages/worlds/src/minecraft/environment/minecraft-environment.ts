/**
 * The Minecraft environment: one embedded server kept running across episodes, one bot per agent
 * kept connected across episodes, one region of the world per running task (reset from the task's
 * seed at each start). A second `start` of a task with another agent id joins the same instance
 * (cooperative tasks). If the server dies, running episodes fail cleanly and the next `start`
 * brings up a fresh server.
 */
import type { Environment, TaskGenerator, TaskSpec } from '@chimera/toolbelt';
import { inventoryCounts, type ObserveOptions } from '@chimera/toolbelt/mineflayer';
import { MinecraftWorldError } from '../errors';
import {
  type MinecraftServer,
  type MinecraftServerOptions,
  startMinecraftServer,
} from '../server/start-server';
import { createMinecraftTaskGenerator } from '../tasks/task-generator';
import { BotPool, type PooledBot } from './bot-pool';
import { MinecraftSession, type SessionHost, sameCounts, serverCaughtUp } from './minecraft-session';
import { REGION_RADIUS, regionBlocks, regionBox, regionOrigin, toWorld } from './region';
import { parseParams, TaskInstance } from './task-instance';

/**
 * Where bots wait between episodes: where a region -1 would be (regions run along +x from 0), out
 * of reach of every region's drops and paths.
 */
const PARKING = regionOrigin(-1);

export interface MinecraftEnvironmentOptions extends MinecraftServerOptions {
  /** Task regions that may run at once (default 4). */
  maxRegions?: number;
  /** What the bots' observations hold (default: the toolbelt's, with `precision: 'block'`). */
  observe?: ObserveOptions;
  /** How long a bot may take to show its reset position and inventory (default 15 s; the reset is re-sent every 2 s meanwhile). */
  syncTimeoutMs?: number;
}

export interface MinecraftEnvironment extends Environment {
  /** The running server (null between a crash and the next start). */
  readonly server: MinecraftServer | null;
  /** How many times the server was (re)started. */
  readonly serverStarts: number;
  /** Connected bots, by agent id. */
  bots(): { agentId: string; username: string; inUse: boolean }[];
  start(task: TaskSpec, options?: { agentId?: string }): Promise<MinecraftSession>;
}

export async function createMinecraftEnvironment(
  options: MinecraftEnvironmentOptions = {},
): Promise<MinecraftEnvironment> {
  const env = new MinecraftEnvironmentImpl(options);
  await env.ensureServer();
  return env;
}

class MinecraftEnvironmentImpl implements MinecraftEnvironment, SessionHost {
  readonly name = 'minecraft';
  /**
   * Episodes of different agents run side by side, each in its own task region with its own bot
   * (one region is left for a collaborative session). One agent id has one episode at a time.
   */
  get maxConcurrentSessions(): number {
    return Math.max(1, this.#slots.length - 1);
  }
  readonly generator: TaskGenerator = createMinecraftTaskGenerator();
  readonly #options: MinecraftEnvironmentOptions;
  readonly #pool: BotPool;
  readonly #instances = new Map<string, TaskInstance>();
  readonly #slots: (TaskInstance | null)[];
  /** The open session of each agent: starting a new episode ends the agent's previous one. */
  readonly #sessions = new Map<string, MinecraftSession>();
  #server: MinecraftServer | null = null;
  #exit: Promise<void> = Promise.resolve();
  #generation = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: MinecraftEnvironmentOptions) {
    // Dig times shrink ~11x with Haste 50: episodes spend their time deciding, not watching blocks break.
    this.#options = { hasteLevel: 50, ...options };
    this.#slots = new Array(options.maxRegions ?? 4).fill(null);
    // Block precision by default: the same outcome gives the same text whatever the machine's load.
    this.#pool = new BotPool({
      host: options.host ?? '127.0.0.1',
      observe: { precision: 'block', ...options.observe },
    });
  }

  get server(): MinecraftServer | null {
    return this.#server?.running ? this.#server : null;
  }

  get serverStarts(): number {
    return this.#generation;
  }

  bots() {
    return this.#pool.list();
  }

  async ensureServer(): Promise<MinecraftServer> {
    if (this.#server?.running) return this.#server;
    // A dead server takes its bots and task regions with it.
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
    await this.#pool.clear();
    this.#instances.clear();
    this.#slots.fill(null);
    const server = await startMinecraftServer(this.#options);
    this.#server = server;
    this.#generation++;
    this.#exit = server.exited.then(() => undefined);
    return server;
  }

  start(task: TaskSpec, options: { agentId?: string } = {}): Promise<MinecraftSession> {
    // Starts are serialized: they share regions, bots and the instance table.
    const run = this.#queue.then(() => this.#start(task, options.agentId ?? 'agent'));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #start(task: TaskSpec, agentId: string): Promise<MinecraftSession> {
    if (this.#closed) throw new MinecraftWorldError('the Minecraft environment is closed');
    parseParams(task);
    const server = await this.ensureServer();
    let instance = this.#instances.get(task.id);
    const previous = this.#sessions.get(agentId);
    if (previous && previous.instance !== instance) await previous.close();
    if (instance && (instance.generation !== this.#generation || instance.empty)) {
      this.#free(instance);
      instance = undefined;
    }
    if (instance) {
      const role = instance.roleOf(agentId);
      // The same agent starting the same task again: its old episode ends, the task restarts.
      if (role >= 0) {
        await Promise.all(instance.members.map((m) => m?.close()));
        this.#free(instance);
        instance = undefined;
      }
    }
    if (!instance) {
      const slot = this.#slots.indexOf(null);
      if (slot < 0) {
        throw new MinecraftWorldError(
          `all ${this.#slots.length} task regions are in use: close a session or raise maxRegions`,
        );
      }
      instance = new TaskInstance(task, slot, this.#generation);
      this.#slots[slot] = instance;
      this.#instances.set(task.id, instance);
      await server.clearItems(instance.origin, REGION_RADIUS * 3);
      await server.setBlocks(regionBlocks(instance.params, instance.origin));
    }

    const pooled = await this.#pool.acquire(agentId, server.port);
    let session: MinecraftSession | null = null;
    let role = -1;
    try {
      role = instance.join({
        agentId,
        username: pooled.username,
        close: async () => {
          await session?.close();
        },
      });
      await this.#placeAgent(server, instance, role, pooled);
      session = new MinecraftSession(this, instance, role, pooled);
      this.#sessions.set(agentId, session);
      // Kits do not count as progress: only what the agents make from here on does.
      await serverCaughtUp(server, pooled);
      const snapshot = await instance.snapshot(server);
      for (const item of instance.params.milestones) {
        if (snapshot.inventories.some((inv) => (inv[item] ?? 0) > 0)) instance.reached.add(item);
      }
      return session;
    } catch (err) {
      if (role >= 0) instance.leave(role);
      this.#pool.release(agentId);
      if (instance.empty) this.#free(instance);
      throw err;
    }
  }

  async #placeAgent(server: MinecraftServer, instance: TaskInstance, role: number, pooled: PooledBot) {
    const start = toWorld(instance.origin, instance.params.starts[role]!);
    const position = { x: start.x + 0.5, y: start.y, z: start.z + 0.5 };
    const items = instance.params.inventories[role] ?? {};
    const timeoutMs = this.#options.syncTimeoutMs ?? 15_000;
    // A bot that joined a moment ago may still be taking its spawn position and chunks when the
    // reset arrives, and the server's later spawn packets then undo it. The reset is idempotent,
    // so it is sent again every RESEND_MS until the bot shows it.
    const RESEND_MS = 2_000;
    const REGION_RESEND_MS = 250;
    await server.resetPlayer(pooled.username, position, items);
    pooled.adapter.reset();
    // The region as the server has it now: the bot's first observation must not depend on how many
    // of the region's block updates (or chunks) had reached it yet.
    const region = regionBox(instance.origin);
    const regionNow = await server.getBlocks(region.from, region.to);
    // Wait until the bot itself sees the reset (position, inventory and region), or its first
    // observation would describe the previous episode.
    const begun = performance.now();
    let sent = begun;
    const bot = pooled.bot;
    let regionShown = false;
    for (;;) {
      const p = bot.entity.position;
      const near =
        Math.abs(p.x - position.x) < 0.5 &&
        Math.abs(p.z - position.z) < 0.5 &&
        Math.abs(p.y - position.y) < 1;
      const counts = inventoryCounts(bot);
      const same = sameCounts(counts, items);
      regionShown ||= shows(bot, region, regionNow);
      // On the ground too: mineflayer digs 5x slower while it believes it is falling.
      if (near && same && bot.entity.onGround && regionShown) return;
      const now = performance.now();
      if (now - begun > timeoutMs) {
        const missing = [
          near ? '' : `position ${fmt(p)} instead of ${fmt(position)}`,
          same ? '' : `inventory ${JSON.stringify(counts)} instead of ${JSON.stringify(items)}`,
          bot.entity.onGround ? '' : 'not on the ground',
          regionShown ? '' : 'the task region not loaded yet',
        ].filter(Boolean);
        throw new MinecraftWorldError(
          `bot ${pooled.username} did not show its reset within ${timeoutMs} ms (${missing.join('; ')}); ` +
            'the server or this machine is overloaded: retry, or raise syncTimeoutMs',
        );
      }
      // Only the region missing (a chunk the server has not sent since the teleport): a new
      // teleport makes it send the chunks around, so that resend need not wait as long.
      if (now - sent > (near && same ? REGION_RESEND_MS : RESEND_MS)) {
        sent = now;
        await server.resetPlayer(pooled.username, position, items);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  serverFor(instance: TaskInstance): MinecraftServer | null {
    return this.#server?.running && instance.generation === this.#generation ? this.#server : null;
  }

  serverExit(instance: TaskInstance): Promise<void> {
    return instance.generation === this.#generation ? this.#exit : Promise.resolve();
  }

  async release(session: MinecraftSession): Promise<void> {
    // An idle bot waits outside every region: one left where its episode ended picked up the next
    // episode's drops there (a dug stone's cobblestone went to the bot of the episode before).
    const server = this.serverFor(session.instance);
    if (server) await server.teleport(session.username, PARKING).catch(() => {});
    const instance = session.instance;
    if (this.#sessions.get(session.agentId) === session) this.#sessions.delete(session.agentId);
    if (instance.members[session.role]?.agentId === session.agentId) instance.leave(session.role);
    this.#pool.release(session.agentId);
    if (instance.empty) this.#free(instance);
  }

  #free(instance: TaskInstance): void {
    if (this.#slots[instance.slot] === instance) this.#slots[instance.slot] = null;
    if (this.#instances.get(instance.task.id) === instance) this.#instances.delete(instance.task.id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await Promise.all([...this.#sessions.values()].map((session) => session.close()));
    await this.#pool.clear();
    this.#instances.clear();
    const server = this.#server;
    this.#server = null;
    if (server) await server.stop();
  }
}

const fmt = (p: { x: number; y: number; z: number }) =>
  `${p.x.toFixed(1)},${p.y.toFixed(1)},${p.z.toFixed(1)}`;

/** Whether the bot's world has every block of `box` as `names` lists them (y, then z, then x). */
function shows(bot: PooledBot['bot'], box: ReturnType<typeof regionBox>, names: readonly string[]): boolean {
  const cursor = bot.entity.position.clone();
  let i = 0;
  for (let y = box.from.y; y <= box.to.y; y++) {
    for (let z = box.from.z; z <= box.to.z; z++) {
      for (let x = box.from.x; x <= box.to.x; x++) {
        if (bot.blockAt(cursor.set(x, y, z))?.name !== names[i++]) return false;
      }
    }
  }
  return true;
}
