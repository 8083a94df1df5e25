import type { BotObservation } from '@chimera/toolbelt/mineflayer';
import { describe, expect, it } from 'vitest';
import type { MinecraftTaskParams } from '../tasks/task-params';
import { buildCandidates, MAX_CANDIDATES } from './candidates';

const params: MinecraftTaskParams = {
  objective: { kind: 'have-item', item: 'wooden_pickaxe', count: 1 },
  agents: 2,
  inventories: [{}, {}],
  starts: [{ x: 0, y: 0, z: 0 }],
  trees: [],
  stone: [],
  craftingTable: null,
  milestones: [],
};

function observation(overrides: Partial<BotObservation> = {}): BotObservation {
  return {
    username: 'alice',
    position: [0.5, 5, 0.5],
    health: 20,
    food: 20,
    time: 6000,
    held: null,
    inventory: { oak_planks: 3, wooden_axe: 1 },
    nearbyBlocks: [
      { name: 'grass_block', count: 289, nearest: [0, 4, 0], distance: 1 },
      { name: 'oak_log', count: 4, nearest: [3, 5, 3], distance: 4 },
      { name: 'crafting_table', count: 1, nearest: [-2, 5, 0], distance: 2.5 },
    ],
    nearbyEntities: [{ id: 'e4', kind: 'animal', name: 'pig', distance: 5, position: [5, 5, 0] }],
    chat: [],
    lastAction: null,
    ...overrides,
  };
}

describe('buildCandidates', () => {
  it('offers collect, craft, give, equip, go-to and attack calls with short texts', () => {
    const candidates = buildCandidates({
      params,
      origin: { x: 0, y: 5, z: 0 },
      observation: observation(),
      partner: 'bob',
      blueprintRemaining: [],
    });
    const texts = candidates.map((c) => c.text);
    expect(texts).toContain('collect oak_log 3');
    expect(texts).toContain('craft wooden_pickaxe x1');
    expect(texts).toContain('give oak_planks 3 to bob');
    expect(texts).toContain('equip wooden_axe');
    expect(texts).toContain('go to crafting_table');
    expect(texts).toContain('attack e4 pig');
    // Ground blocks are not offered for collection.
    expect(texts.some((t) => t.includes('grass_block'))).toBe(false);
    expect(candidates.find((c) => c.text === 'give oak_planks 3 to bob')!.call).toEqual({
      tool: 'give_item',
      args: { player: 'bob', item: 'oak_planks', count: 3 },
    });
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('places blueprint cells at world positions while the text keeps the goal offsets', () => {
    const candidates = buildCandidates({
      params,
      origin: { x: 48, y: 5, z: 0 },
      observation: observation(),
      partner: null,
      blueprintRemaining: [{ x: -1, y: 0, z: 2, name: 'oak_planks' }],
    });
    expect(candidates[0]).toEqual({
      text: 'place oak_planks at -1,0,2',
      call: { tool: 'place_block', args: { block: 'oak_planks', x: 47, y: 5, z: 2 } },
    });
  });

  it(`never offers more than ${MAX_CANDIDATES}`, () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      name: `block_${i}`,
      count: 1,
      nearest: [i, 5, 0] as [number, number, number],
      distance: i,
    }));
    const candidates = buildCandidates({
      params,
      origin: { x: 0, y: 5, z: 0 },
      observation: observation({ nearbyBlocks: many }),
      partner: 'bob',
      blueprintRemaining: [],
    });
    expect(candidates).toHaveLength(MAX_CANDIDATES);
  });
});
