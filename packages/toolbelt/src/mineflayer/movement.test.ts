/**
 * walkTo against a stand-in bot whose walks end where the test says: the real path (flying-squid,
 * mineflayer) is in packages/worlds/test/minecraft/tools.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { type Bot, goals, vec3 } from './deps';
import { walkTo } from './movement';

/** A bot whose first walk plans to end in block (3, 5, 0) and stops at `stopsAt`; later walks end where asked. */
function driftingBot(stopsAt: [number, number, number]) {
  const emitter = new EventEmitter();
  const walks: string[] = [];
  const entity = { position: vec3(0.5, 5, 0.5), velocity: vec3(0, 0, 0) };
  const bot = Object.assign(emitter, {
    entity,
    pathfinder: {
      goto: async (goal: { constructor: { name: string }; x: number; y: number; z: number }) => {
        walks.push(`${goal.constructor.name} ${goal.x},${goal.y},${goal.z}`);
        if (walks.length === 1) {
          emitter.emit('path_update', {
            path: [
              { x: 1.5, y: 5, z: 0.5 },
              { x: 3.5, y: 5, z: 0.5 },
            ],
          });
          entity.position = vec3(...stopsAt);
        } else {
          entity.position = vec3(goal.x + 0.5, goal.y, goal.z + 0.5);
        }
      },
    },
  });
  return { bot: bot as unknown as Bot, walks, at: () => entity.position.floored().toString() };
}

describe('walkTo', () => {
  it('steps back into the planned block when momentum carried the bot past its edge', async () => {
    const { bot, walks, at } = driftingBot([4.05, 5, 0.5]);
    await walkTo(bot, new goals.GoalNearXZ(5, 0, 2), new AbortController().signal, 'x');
    expect(walks).toEqual(['GoalNearXZ 5,undefined,0', 'GoalBlock 3,5,0']);
    expect(at()).toBe('(3, 5, 0)');
  });

  it('does not move again when the walk ended in the planned block', async () => {
    const { bot, walks, at } = driftingBot([3.8, 5, 0.2]);
    await walkTo(bot, new goals.GoalNearXZ(5, 0, 2), new AbortController().signal, 'x');
    expect(walks).toEqual(['GoalNearXZ 5,undefined,0']);
    expect(at()).toBe('(3, 5, 0)');
  });
});
