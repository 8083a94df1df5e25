import { describe, expect, it } from 'vitest';
import { normalizeName } from './names';
import { type BotObservation, renderObservation } from './observe';

const observation: BotObservation = {
  username: 'alice',
  position: [1.5, 5, 4.5],
  health: 20,
  food: 18,
  time: 6000,
  held: 'wooden_pickaxe',
  inventory: { stick: 2, oak_planks: 3 },
  nearbyBlocks: [{ name: 'crafting_table', count: 1, nearest: [2, 5, 4], distance: 1.1 }],
  nearbyEntities: [{ id: 'e2', kind: 'player', name: 'bob', distance: 2.5, position: [3, 5, 4] }],
  chat: [{ from: 'bob', message: 'need sticks?' }],
  lastAction: {
    action: 'craft stick x1',
    summary: 'crafted stick x1',
    gained: { stick: 4 },
    lost: { oak_planks: 2 },
  },
};

describe('renderObservation', () => {
  it('renders a compact text with counts, nearest positions, short ids and the last outcome', () => {
    expect(renderObservation(observation)).toBe(
      [
        'alice at 1.5,5,4.5 hp 20 food 18 time 6000 holding wooden_pickaxe',
        'inventory: oak_planks 3, stick 2',
        'blocks: crafting_table 1 @2,5,4',
        'entities: e2 bob 2.5m',
        'chat: bob: need sticks?',
        'last: craft stick x1 -> crafted stick x1 (+4 stick -2 oak_planks)',
      ].join('\n'),
    );
  });

  it('says when there is nothing to list', () => {
    const empty = renderObservation({
      ...observation,
      inventory: {},
      nearbyBlocks: [],
      nearbyEntities: [],
      chat: [],
      lastAction: null,
      held: null,
    });
    expect(empty).toBe('alice at 1.5,5,4.5 hp 20 food 18 time 6000\ninventory: empty\nblocks: none');
  });
});

describe('normalizeName', () => {
  it('accepts the ways a model writes item names', () => {
    expect(normalizeName('Oak Log')).toBe('oak_log');
    expect(normalizeName('minecraft:crafting_table')).toBe('crafting_table');
    expect(normalizeName(' wooden-pickaxe ')).toBe('wooden_pickaxe');
  });
});
