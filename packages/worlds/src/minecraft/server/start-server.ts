/**
 * Starts the embedded Minecraft server (flying-squid 1.12, game 1.21.4, offline, loopback,
 * in-memory superflat world) in a child process and returns a handle for the host: the port to
 * connect bots to, world edits and state queries over IPC (rewards are computed from these,
 * never from what a bot believes), and `stop()` / `kill()`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MinecraftServerDownError, MinecraftWorldError } from '../errors';
import type {
  BlockPlacement,
  BlockPos,
  ChildMessage,
  RequestResult,
  ServerEntityState,
  ServerPlayerState,
  ServerProcessOptions,
  ServerRequest,
} from './protocol';

export const MINECRAFT_VERSION = '1.21.4';

export interface MinecraftServerOptions {
  /** TCP port on the host; 0 (default) picks a free one. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** World seed (the superflat terrain is the same for every seed; tasks use it for placement). */
  seed?: number;
  /** Chunks sent around each player (>= 3; at 2 mineflayer's chunk wait hangs). Default 3. */
  viewDistance?: number;
  /** Where every player spawns. Default (0.5, 5, 0.5), on the superflat grass. */
  spawn?: BlockPos;
  /** Apply the project's fixes (default true). `false` runs flying-squid as shipped: a baseline only. */
  fixes?: boolean;
  /** Haste amplifier+1 given to players (0 = none, the game's dig times). Default 0. */
  hasteLevel?: number;
  /** Freeze the time of day (ticks, 6000 = noon); null keeps the cycle. Default 6000. */
  fixedTime?: number | null;
  maxPlayers?: number;
  /** How long to wait for the server to listen. Default 60 s (a loaded machine can take long). */
  startTimeoutMs?: number;
}

export interface ServerStopResult {
  /** The process exited on its own after shutdown (no timers or sockets left behind). */
  clean: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface MinecraftServer {
  readonly host: string;
  readonly port: number;
  readonly version: typeof MINECRAFT_VERSION;
  readonly seed: number;
  readonly pid: number;
  /** Milliseconds from fork to ready, and inside the server process from start to ready. */
  readonly startup: { totalMs: number; serverMs: number };
  /** False once the process has exited. */
  readonly running: boolean;
  /** Last lines the server wrote to stderr (for diagnosing crashes). */
  readonly stderrTail: string;
  setBlocks(blocks: BlockPlacement[]): Promise<number>;
  fill(from: BlockPos, to: BlockPos, name: string): Promise<number>;
  /** Block names in the box, y-major, then z, then x. */
  getBlocks(from: BlockPos, to: BlockPos): Promise<string[]>;
  blockAt(pos: BlockPos): Promise<string>;
  inventory(username: string): Promise<Record<string, number>>;
  setInventory(username: string, items: Record<string, number>): Promise<void>;
  /** Closes windows, replaces the inventory, restores health and food, teleports. */
  resetPlayer(username: string, position: BlockPos, items: Record<string, number>): Promise<void>;
  teleport(username: string, position: BlockPos): Promise<void>;
  players(): Promise<ServerPlayerState[]>;
  entities(center: BlockPos, radius: number): Promise<ServerEntityState[]>;
  spawnMob(name: string, position: BlockPos): Promise<number>;
  /** Removes dropped items around a point; returns how many. */
  clearItems(center: BlockPos, radius: number): Promise<number>;
  /** Kicks players, stops every timer, and waits for the process to exit. */
  stop(): Promise<ServerStopResult>;
  /** SIGKILL, as a crash would: pending requests fail with MinecraftServerDownError. */
  kill(): void;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<ServerStopResult>;
}

const STOP_GRACE_MS = 5_000;

/** The child entry: the built `minecraft-server-process.js` beside this bundle, or the TypeScript source run through tsx. */
function childEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return { path: join(dir, 'server-process.ts'), execArgv: ['--import', pathToFileURL(tsx).href] };
  }
  for (const name of ['minecraft-server-process.js', 'minecraft-server-process.cjs']) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return { path: candidate, execArgv: [] };
  }
  throw new MinecraftWorldError(
    `cannot find the Minecraft server process script next to ${here}: build @chimera/worlds with its ` +
      `'minecraft-server-process' entry (src/minecraft/server/server-process.ts)`,
  );
}

export async function startMinecraftServer(options: MinecraftServerOptions = {}): Promise<MinecraftServer> {
  const viewDistance = options.viewDistance ?? 3;
  if (viewDistance < 3) {
    throw new MinecraftWorldError(
      `viewDistance ${viewDistance} is too small: use 3 or more (mineflayer waits for chunks)`,
    );
  }
  const processOptions: ServerProcessOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    viewDistance,
    spawn: options.spawn ?? { x: 0.5, y: 5, z: 0.5 },
    fixes: options.fixes ?? true,
    hasteLevel: options.hasteLevel ?? 0,
    fixedTime: options.fixedTime === undefined ? 6000 : options.fixedTime,
    maxPlayers: options.maxPlayers ?? 16,
  };
  const t0 = performance.now();
  const entry = childEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, CHIMERA_MC_OPTIONS: JSON.stringify(processOptions) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });

  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });

  let running = true;
  let stopRequested = false;
  let stoppedCleanly = false;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;

  const exited = new Promise<ServerStopResult>((resolve) => {
    // 'close' rather than 'exit': it comes once the stdio pipes are closed too, so nothing of the
    // child is left in this process when `exited` resolves.
    child.once('close', (exitCode, signal) => {
      running = false;
      const down = new MinecraftServerDownError(
        `the Minecraft server process exited (code ${exitCode}, signal ${signal})` +
          (stderrTail ? `; stderr: ${stderrTail.slice(-500)}` : ''),
      );
      for (const p of pending.values()) p.reject(down);
      pending.clear();
      resolve({ clean: stoppedCleanly && exitCode === 0, exitCode, signal });
    });
  });

  const ready = new Promise<{ port: number; startMs: number }>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new MinecraftWorldError(
          `the Minecraft server did not start within ${timeoutMs} ms; stderr: ${stderrTail}`,
        ),
      );
    }, timeoutMs);
    child.on('message', (message: ChildMessage) => {
      if ('event' in message) {
        if (message.event === 'ready') {
          clearTimeout(timer);
          resolve({ port: message.port, startMs: message.startMs });
        } else if (message.event === 'fatal') {
          clearTimeout(timer);
          reject(new MinecraftWorldError(`the Minecraft server failed to start: ${message.message}`));
        } else if (message.event === 'stopped') {
          stoppedCleanly = true;
        }
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new MinecraftWorldError(`server refused the request: ${message.error}`));
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(
        new MinecraftWorldError(
          `the Minecraft server exited during start-up (code ${r.exitCode}); stderr: ${stderrTail}`,
        ),
      );
    });
  });

  let started: { port: number; startMs: number };
  try {
    started = await ready;
  } catch (err) {
    if (running) child.kill('SIGKILL');
    throw err;
  }
  const totalMs = performance.now() - t0;

  function request<K extends ServerRequest['op']>(
    req: Extract<ServerRequest, { op: K }>,
  ): Promise<RequestResult[K]> {
    if (!running || !child.connected) {
      return Promise.reject(new MinecraftServerDownError('the Minecraft server is not running'));
    }
    const id = nextId++;
    return new Promise<RequestResult[K]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, request: req }, (err) => {
        if (!err) return;
        pending.delete(id);
        reject(
          new MinecraftServerDownError(`could not reach the Minecraft server: ${err.message}`, {
            cause: err,
          }),
        );
      });
    });
  }

  const handle: MinecraftServer = {
    host: processOptions.host,
    port: started.port,
    version: MINECRAFT_VERSION,
    seed: processOptions.seed,
    pid: child.pid ?? -1,
    startup: { totalMs, serverMs: started.startMs },
    get running() {
      return running;
    },
    get stderrTail() {
      return stderrTail;
    },
    setBlocks: (blocks) => request({ op: 'setBlocks', blocks }),
    fill: (from, to, name) => request({ op: 'fill', from, to, name }),
    getBlocks: (from, to) => request({ op: 'getBlocks', from, to }),
    blockAt: async (pos) => (await request({ op: 'getBlocks', from: pos, to: pos }))[0] ?? 'unknown',
    inventory: (username) => request({ op: 'inventory', username }),
    setInventory: async (username, items) => void (await request({ op: 'setInventory', username, items })),
    resetPlayer: async (username, position, items) =>
      void (await request({ op: 'resetPlayer', username, position, items })),
    teleport: async (username, position) => void (await request({ op: 'teleport', username, position })),
    players: () => request({ op: 'players' }),
    entities: (center, radius) => request({ op: 'entities', center, radius }),
    spawnMob: (name, position) => request({ op: 'spawnMob', name, position }),
    clearItems: (center, radius) => request({ op: 'clearItems', center, radius }),
    async stop() {
      if (!running) return exited;
      if (!stopRequested) {
        stopRequested = true;
        await request({ op: 'stop' }).catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        void exited.finally(() => clearTimeout(timer));
      }
      return exited;
    },
    kill() {
      if (running) child.kill('SIGKILL');
    },
    exited,
  };
  return handle;
}
