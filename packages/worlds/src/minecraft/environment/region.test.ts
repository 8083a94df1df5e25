import { describe, expect, it } from 'vitest';
import type { MinecraftTaskParams } from '../tasks/task-params';
import { REGION_RADIUS, regionBlocks, regionOrigin } from './region';

const params: MinecraftTaskParams = {
  objective: { kind: 'have-item', item: 'oak_log', count: 1 },
  agents: 1,
  inventories: [{}],
  starts: [{ x: 0, y: 0, z: 0 }],
  trees: [{ x: 3, z: -4, height: 4 }],
  stone: [{ x: -3, y: 0, z: 2 }],
  craftingTable: { x: 2, y: 0, z: 3 },
  milestones: [],
};

describe('regionBlocks', () => {
  it('writes ground, air, trees, stone and table for the whole region', () => {
    const origin = regionOrigin(1);
    const blocks = regionBlocks(params, origin);
    const at = (x: number, y: number, z: number) =>
      blocks.find((b) => b.x === x && b.y === y && b.z === z)?.name;
    expect(origin).toEqual({ x: 48, y: 5, z: 0 });
    for (let y = 5; y <= 8; y++) expect(at(51, y, -4)).toBe('oak_log');
    expect(at(51, 9, -4)).toBe('oak_leaves');
    expect(at(52, 7, -4)).toBe('oak_leaves');
    expect(at(45, 5, 2)).toBe('stone');
    expect(at(50, 5, 3)).toBe('crafting_table');
    expect(at(48, 4, 0)).toBe('grass_block');
    expect(at(48, 2, 0)).toBe('dirt');
    expect(at(48, 5, 0)).toBe('air');
    const xs = blocks.map((b) => b.x);
    expect(Math.min(...xs)).toBe(48 - REGION_RADIUS);
    expect(Math.max(...xs)).toBe(48 + REGION_RADIUS);
    expect(new Set(blocks.map((b) => `${b.x},${b.y},${b.z}`)).size).toBe(blocks.length);
  });
});
