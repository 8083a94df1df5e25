import { describe, expect, it } from 'vitest';
import { minecraftSituation } from './situation';

describe('minecraftSituation', () => {
  it('keys on the inventory and the block types within reach, not on positions or counts of blocks', () => {
    const a = minecraftSituation({
      inventory: { oak_planks: 2, stick: 0 },
      nearbyBlocks: [
        { name: 'oak_log', count: 5, nearest: [1, 2, 3], distance: 4.5 },
        { name: 'stone', count: 9, nearest: [9, 9, 9], distance: 20 },
      ],
    });
    const b = minecraftSituation({
      inventory: { oak_planks: 2 },
      nearbyBlocks: [{ name: 'oak_log', count: 1, nearest: [0, 0, 0], distance: 2 }],
    });
    expect(a).toBe('inv:oak_planks=2|near:oak_log');
    expect(b).toBe(a);
    expect(minecraftSituation({ inventory: { oak_planks: 4 }, nearbyBlocks: [] })).toBe(
      'inv:oak_planks=4|near:',
    );
  });
});
