import { describe, expect, it } from 'vitest';
import type { MinecraftTaskParams, Offset } from './task-params';
import { blueprintEditDistance, judge, progress, type WorldSnapshot } from './verdict';

const base: MinecraftTaskParams = {
  objective: { kind: 'have-item', item: 'wooden_pickaxe', count: 1 },
  agents: 1,
  inventories: [{}],
  starts: [{ x: 0, y: 0, z: 0 }],
  trees: [],
  stone: [],
  craftingTable: null,
  milestones: ['oak_log', 'oak_planks', 'stick', 'crafting_table', 'wooden_pickaxe'],
};

function snapshot(
  inventories: Record<string, number>[],
  blocks: Record<string, string> = {},
  tables = 0,
): WorldSnapshot {
  return {
    inventories,
    blockAt: (o: Offset) => blocks[`${o.x},${o.y},${o.z}`] ?? 'air',
    placedCraftingTables: tables,
  };
}

describe('judge', () => {
  it('scores item objectives with partial credit', () => {
    const params = { ...base, objective: { kind: 'have-item', item: 'oak_log', count: 4 } } as const;
    expect(judge(params, snapshot([{ oak_log: 1 }]))).toMatchObject({ success: false, score: 0.25 });
    expect(judge(params, snapshot([{ oak_log: 5 }]))).toMatchObject({ success: true, score: 1 });
  });

  it('judges cooperative tasks jointly and counts placed crafting tables', () => {
    const params = {
      ...base,
      agents: 2 as const,
      objective: { kind: 'have-item' as const, item: 'crafting_table', count: 1 },
    };
    expect(judge(params, snapshot([{}, { crafting_table: 1 }])).success).toBe(true);
    expect(judge(params, snapshot([{}, {}], {}, 1)).success).toBe(true);
    expect(judge(params, snapshot([{}, {}])).success).toBe(false);
  });

  it('scores blueprints by edit distance over their bounding box', () => {
    const blocks = [
      { x: 0, y: 0, z: 2, name: 'cobblestone' },
      { x: 2, y: 0, z: 2, name: 'cobblestone' },
    ];
    const params = { ...base, objective: { kind: 'blueprint' as const, blocks } };
    expect(judge(params, snapshot([{}], { '0,0,2': 'cobblestone', '2,0,2': 'cobblestone' }))).toMatchObject({
      success: true,
      score: 1,
    });
    // A block in the gap is an edit too, as is a wrong block.
    const gapFilled = { '0,0,2': 'cobblestone', '1,0,2': 'dirt', '2,0,2': 'oak_planks' };
    expect(
      blueprintEditDistance(
        blocks,
        (o) => gapFilled[`${o.x},${o.y},${o.z}` as keyof typeof gapFilled] ?? 'air',
      ),
    ).toBe(2);
    expect(judge(params, snapshot([{}], gapFilled)).score).toBe(0);
  });
});

describe('progress', () => {
  it('counts recipe-chain milestones reached in any inventory', () => {
    const reached = new Set<string>();
    expect(progress(base, snapshot([{ oak_log: 2 }]), reached)).toBeCloseTo(0.2);
    expect(progress(base, snapshot([{ oak_planks: 4, stick: 4 }]), reached)).toBeCloseTo(0.6);
    // Milestones stay reached after the items are used up.
    expect(progress(base, snapshot([{}]), reached)).toBeCloseTo(0.6);
  });
});
