/**
 * Entry point of the forked server process: flying-squid plus the project's fixes, driven over IPC.
 *
 * flying-squid reads stdin, prints prompts to stdout, hooks SIGINT/SIGTERM with process.exit and
 * rethrows some errors from timers; inside its own process none of that can reach the host.
 * The host (start-server.ts) sends requests (`setBlocks`, `inventory`, `stop`, ...) and gets
 * answers computed from the server's state, which is what task rewards are built on.
 */
import { createRequire } from 'node:module';
import vec3, { type Vec3 } from 'vec3';
import { stateIdFor } from './block-states';
import { installCraftingWindows } from './fixes/crafting-windows';
import { addItem, clearInventory, countItems } from './fixes/inventory-ops';
import { installItemDrops } from './fixes/item-drops';
import { installMobDeaths } from './fixes/mob-deaths';
import { installPacketCompat } from './fixes/packet-compat';
import { installPlayerVisibility } from './fixes/player-visibility';
import { trackTimers } from './fixes/timers';
import { cloneSuperflatChunks, grantHaste, installWorldRules } from './fixes/world-rules';
import type {
  BlockPos,
  ChildMessage,
  RequestMessage,
  ServerEntityState,
  ServerProcessOptions,
  ServerRequest,
} from './protocol';
import { RecipeMatcher } from './recipe-matcher';
import type { ItemConstructor, PrismarineWindow, SquidPlayer, SquidServer } from './squid-types';

const MAX_BOX_VOLUME = 64 * 64 * 64;

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

function parseOptions(): ServerProcessOptions {
  const raw = process.env.CHIMERA_MC_OPTIONS;
  if (!raw) throw new Error('server process started without CHIMERA_MC_OPTIONS');
  return JSON.parse(raw) as ServerProcessOptions;
}

function boxPositions(from: BlockPos, to: BlockPos): Vec3[] {
  const [x0, x1] = [Math.min(from.x, to.x), Math.max(from.x, to.x)];
  const [y0, y1] = [Math.min(from.y, to.y), Math.max(from.y, to.y)];
  const [z0, z1] = [Math.min(from.z, to.z), Math.max(from.z, to.z)];
  const volume = (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1);
  if (volume > MAX_BOX_VOLUME) throw new Error(`box of ${volume} blocks is larger than ${MAX_BOX_VOLUME}`);
  const out: Vec3[] = [];
  // y-major, then z, then x: the order getBlocks answers in.
  for (let y = y0; y <= y1; y++)
    for (let z = z0; z <= z1; z++) for (let x = x0; x <= x1; x++) out.push(vec3(x, y, z));
  return out;
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions();
  // Before flying-squid loads, so every timer it creates is known to shutdown.
  const timers = trackTimers();
  const require = createRequire(import.meta.url);
  const squid = require('flying-squid') as { createMCServer(options: Record<string, unknown>): SquidServer };

  const serv = squid.createMCServer({
    motd: 'chimera',
    host: options.host,
    port: options.port,
    'max-players': options.maxPlayers,
    'online-mode': false,
    logging: false,
    noConsoleOutput: true,
    // A function here keeps flying-squid from installing its own process-wide error handlers.
    debug: () => {},
    gameMode: 0,
    difficulty: 0,
    generation: { name: 'superflat', options: { seed: options.seed } },
    kickTimeout: 10_000,
    plugins: {},
    modpe: false,
    'view-distance': options.viewDistance,
    'player-list-text': { header: { text: 'chimera' }, footer: { text: '' } },
    'everybody-op': true,
    'max-entities': 200,
    version: '1.21.4',
  });

  const registry = serv.registry;
  // flying-squid's own copies, so items and windows are the classes its plugins use.
  const squidRequire = createRequire(require.resolve('flying-squid'));
  const Item = squidRequire('prismarine-item')(registry) as ItemConstructor;
  let playerWindowsLoader: {
    createWindow(id: number, type: string, title: string): PrismarineWindow;
  } | null = null;
  if (options.fixes) {
    playerWindowsLoader = squidRequire('prismarine-windows')(registry);
    installPacketCompat(serv);
    installPlayerVisibility(serv);
    installMobDeaths(serv);
    installWorldRules(serv, {
      spawn: options.spawn,
      fixedTime: options.fixedTime,
      hasteLevel: options.hasteLevel,
    });
    const drops = installItemDrops(serv, Item);
    installCraftingWindows(serv, {
      Item,
      createWindow: (id, type, title) => playerWindowsLoader!.createWindow(id, type, title),
      matcher: new RecipeMatcher(registry.recipes),
      dropItem: drops.dropItem,
    });
  }

  process.on('uncaughtException', (err) => {
    // flying-squid rethrows per-player failures from timers; report them instead of dying.
    process.stderr.write(`[minecraft-server] uncaught: ${err.stack ?? err}\n`);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`[minecraft-server] unhandled rejection: ${String(reason)}\n`);
  });

  await serv.waitForReady(60_000);
  if (options.fixes) cloneSuperflatChunks(serv);
  if (options.fixedTime !== null) serv.setTime(options.fixedTime);

  const playerNamed = (username: string): SquidPlayer => {
    const player = serv.getPlayer(username);
    if (!player) throw new Error(`no player named ${username} is connected`);
    return player;
  };

  const setBlock = async (pos: Vec3, stateId: number): Promise<boolean> => {
    if ((await serv.overworld.getBlockStateId(pos)) === stateId) return false;
    await serv.setBlock(serv.overworld, pos, stateId);
    return true;
  };

  const stateOf = (name: string, properties?: Record<string, string>) => {
    const block = registry.blocksByName[name];
    if (!block) throw new Error(`unknown block '${name}'`);
    return stateIdFor(block, properties);
  };

  const setInventory = (player: SquidPlayer, items: Record<string, number>) => {
    clearInventory(player.inventory);
    for (const [name, count] of Object.entries(items)) {
      const item = registry.itemsByName[name];
      if (!item) throw new Error(`unknown item '${name}'`);
      addItem(player.inventory, Item, item.id, count, item.stackSize);
    }
  };

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await Promise.race([serv.quit('Server stopping'), new Promise((r) => setTimeout(r, 3000))]);
    } catch {
      // already closed
    }
    serv.stopTickInterval();
    timers.clearAll();
    process.stdin.destroy();
    send({ event: 'stopped' });
    // Nothing is left but the IPC channel; closing it lets the process exit on its own.
    process.disconnect?.();
  };

  const handlers: {
    [K in ServerRequest['op']]: (r: Extract<ServerRequest, { op: K }>) => Promise<unknown> | unknown;
  } = {
    setBlocks: async ({ blocks }) => {
      let changed = 0;
      for (const b of blocks)
        if (await setBlock(vec3(b.x, b.y, b.z), stateOf(b.name, b.properties))) changed++;
      return changed;
    },
    fill: async ({ from, to, name }) => {
      const stateId = stateOf(name);
      let changed = 0;
      for (const pos of boxPositions(from, to)) if (await setBlock(pos, stateId)) changed++;
      return changed;
    },
    getBlocks: async ({ from, to }) => {
      const names: string[] = [];
      for (const pos of boxPositions(from, to)) {
        names.push(registry.blocksByStateId[await serv.overworld.getBlockStateId(pos)]?.name ?? 'unknown');
      }
      return names;
    },
    inventory: ({ username }) => countItems(playerNamed(username).inventory, registry),
    setInventory: ({ username, items }) => {
      setInventory(playerNamed(username), items);
      return true;
    },
    resetPlayer: async ({ username, position, items }) => {
      const player = playerNamed(username);
      if (player.chimeraWindow) {
        player._client.write('close_window', { windowId: player.chimeraWindow.id });
        player.chimeraWindow = null;
      }
      setInventory(player, items);
      player.updateHealth(20);
      player.updateFood(20);
      await player.teleport(vec3(position.x, position.y, position.z));
      player.sendSelfPosition(vec3(position.x, position.y, position.z));
      grantHaste(player, options.hasteLevel);
      return true;
    },
    teleport: async ({ username, position }) => {
      const player = playerNamed(username);
      await player.teleport(vec3(position.x, position.y, position.z));
      player.sendSelfPosition(vec3(position.x, position.y, position.z));
      return true;
    },
    players: () =>
      serv.players.map((p) => ({
        username: p.username,
        entityId: p.id,
        position: { x: p.position.x, y: p.position.y, z: p.position.z },
        health: p.health ?? 20,
        food: p.food ?? 20,
        gameMode: p.gameMode,
      })),
    entities: ({ center, radius }) => {
      const c = vec3(center.x, center.y, center.z);
      const out: ServerEntityState[] = [];
      for (const e of Object.values(serv.entities)) {
        if (e.position.distanceTo(c) > radius) continue;
        const name =
          e.type === 'player'
            ? (e as SquidPlayer).username
            : e.type === 'object' && e.itemId !== undefined
              ? `item:${registry.items[e.itemId]?.name ?? e.itemId}`
              : (e.name ?? registry.entities[e.entityType ?? -1]?.name ?? 'unknown');
        out.push({
          id: e.id,
          kind: e.type,
          name,
          position: { x: e.position.x, y: e.position.y, z: e.position.z },
          health: typeof e.health === 'number' ? e.health : null,
          alive: (e.health ?? 1) > 0 && serv.entities[e.id] !== undefined,
        });
      }
      return out;
    },
    spawnMob: ({ name, position }) => {
      const mob = registry.entitiesByName[name];
      if (!mob || mob.type === 'projectile') throw new Error(`unknown mob '${name}'`);
      return serv.spawnMob(mob.id, serv.overworld, vec3(position.x, position.y, position.z), {
        velocity: vec3(0, 0, 0),
      }).id;
    },
    clearItems: ({ center, radius }) => {
      const c = vec3(center.x, center.y, center.z);
      let removed = 0;
      for (const e of Object.values(serv.entities)) {
        if (e.type === 'object' && e.position.distanceTo(c) <= radius) {
          e.destroy();
          removed++;
        }
      }
      return removed;
    },
    stop: async () => {
      setImmediate(() => void shutdown());
      return true;
    },
  };

  process.on('message', async (message: RequestMessage) => {
    const { id, request } = message;
    try {
      const handler = handlers[request.op] as (r: ServerRequest) => unknown;
      if (!handler) throw new Error(`unknown request '${String(request.op)}'`);
      const result = await handler(request);
      send({ id, ok: true, result });
    } catch (err) {
      send({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  // The host went away (or closed the channel): do not linger as an orphan server.
  process.on('disconnect', () => {
    if (!stopping) void shutdown().finally(() => process.exit(0));
  });

  send({ event: 'ready', port: serv.listeningPort ?? options.port, startMs: performance.now() - started });
}

main().catch((err: unknown) => {
  send({ event: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
