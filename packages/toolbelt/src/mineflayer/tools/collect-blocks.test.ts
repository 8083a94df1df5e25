/**
 * pickUpDrops against a stand-in bot whose "server" is slow: the drop's spawn arrives late, as on a
 * loaded machine. The real path (flying-squid, mineflayer) is in packages/worlds/test/minecraft/tools.test.ts.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bot, vec3 } from '../deps';
import { dropsForSure, pickUpDrops } from './collect-blocks';

interface FakeEntity {
  id: number;
  name: string;
  position: ReturnType<typeof vec3>;
}

/**
 * A bot that stands still (its walks are recorded, not made); a drop shows up `spawnAfterMs` after the dig and is picked up 100 ms after that. */
function slowServerBot(spawnAfterMs: number) {
  const emitter = new EventEmitter();
  const entities: Record<number, FakeEntity> = {};
  let cobblestone = 0;
  const walks: string[] = [];
  const bot = Object.assign(emitter, {
    entity: { position: vec3(0.5, 5, 0.5) },
    entities,
    inventory: { items: () => (cobblestone > 0 ? [{ name: 'cobblestone', count: cobblestone }] : []) },
    pathfinder: {
      goto: async (goal: { x: number; z: number }) => {
        walks.push(`${goal.x},${goal.z}`);
      },
    },
    registry: {
      blockLoot: {
        stone: { drops: [{ item: 'cobblestone' }] },
        oak_leaves: { drops: [{ item: 'oak_sapling', dropChance: 0.05 }] },
      },
    },
  });
  const timers = [
    setTimeout(() => {
      entities[7] = { id: 7, name: 'item', position: vec3(1.5, 5, 0.5) };
    }, spawnAfterMs),
    setTimeout(() => {
      delete entities[7];
      cobblestone++;
      emitter.emit('entityGone', { id: 7 });
    }, spawnAfterMs + 100),
  ];
  return {
    bot: bot as unknown as Bot,
    held: () => cobblestone,
    /** Where the bot was sent (goal x,z), in order. */
    walks,
    done: () => timers.forEach(clearTimeout),
  };
}

/** The stand-in bots of a test; their pending timers are cleared after it. */
const made: ReturnType<typeof slowServerBot>[] = [];
const slowServer = (spawnAfterMs: number) => {
  const fake = slowServerBot(spawnAfterMs);
  made.push(fake);
  return fake;
};
afterEach(() => {
  for (const fake of made.splice(0)) fake.done();
});

describe('pickUpDrops', () => {
  it('waits for a drop that a slow server spawns late when a drop is expected', async () => {
    const { bot, held } = slowServer(900);
    await pickUpDrops(bot, vec3(1, 5, 0), new AbortController().signal, { expected: 1, heldBefore: 0 });
    expect(held()).toBe(1);
  });

  it('does not wait when no drop is expected (only what is in sight is picked up)', async () => {
    const { bot, held } = slowServer(900);
    const started = performance.now();
    await pickUpDrops(bot, vec3(1, 5, 0), new AbortController().signal);
    expect(held()).toBe(0);
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('gives up at the budget when the drop never comes', async () => {
    const { bot, held } = slowServer(60_000);
    const started = performance.now();
    await pickUpDrops(bot, vec3(1, 5, 0), new AbortController().signal, {
      expected: 1,
      heldBefore: 0,
      budgetMs: 500,
    });
    expect(held()).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('walks to the dug columns whether the drop came fast or late, so the bot ends in the same block', async () => {
    const routes: string[][] = [];
    for (const spawnAfterMs of [20, 900]) {
      const { bot, held, walks } = slowServer(spawnAfterMs);
      await pickUpDrops(bot, vec3(3, 5, 0), new AbortController().signal, {
        expected: 1,
        heldBefore: 0,
        columns: [vec3(3, 5, 0)],
      });
      expect(held()).toBe(1);
      routes.push(walks);
    }
    // The fast drop was picked up before the bot looked for it; the late one after. Same walk.
    expect(routes[0]).toEqual(['3,0']);
    expect(routes[1]).toEqual(routes[0]);
  });

  it('knows which blocks drop for sure from the loot tables', () => {
    const { bot } = slowServer(60_000);
    expect(dropsForSure(bot, 'stone')).toBe(true);
    expect(dropsForSure(bot, 'oak_leaves')).toBe(false);
    expect(dropsForSure(bot, 'unknown_block')).toBe(true);
  });
});
