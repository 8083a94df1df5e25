import { describe, expect, it } from 'vitest';
import { minecraftSituation, minecraftSituationClass } from './situation';

describe('minecraftSituation', () => {
  it('keys on the inventory and the workstations within reach, not on positions or terrain', () => {
    const a = minecraftSituation({
      inventory: { oak_planks: 2, stick: 0 },
      nearbyBlocks: [
        { name: 'oak_log', count: 5, nearest: [1, 2, 3], distance: 4.5 },
        { name: 'crafting_table', count: 1, nearest: [1, 0, 1], distance: 3 },
        { name: 'furnace', count: 1, nearest: [9, 9, 9], distance: 20 },
      ],
    });
    const b = minecraftSituation({
      inventory: { oak_planks: 2 },
      nearbyBlocks: [{ name: 'crafting_table', count: 1, nearest: [0, 0, 0], distance: 2 }],
    });
    expect(a).toBe('inv:oak_planks=2|at:crafting_table');
    expect(b).toBe(a);
    expect(minecraftSituation({ inventory: { oak_planks: 4 }, nearbyBlocks: [] })).toBe(
      'inv:oak_planks=4|at:',
    );
  });

  it('has a class without the counts', () => {
    const three = { inventory: { oak_log: 3 }, nearbyBlocks: [] };
    const one = { inventory: { oak_log: 1 }, nearbyBlocks: [] };
    expect(minecraftSituation(three)).not.toBe(minecraftSituation(one));
    expect(minecraftSituationClass(three)).toBe(minecraftSituationClass(one));
    expect(minecraftSituationClass(one)).toBe('inv:oak_log|at:');
  });
});
