import { describe, expect, it } from 'vitest';
import { createMinecraftTaskGenerator } from './task-generator';
import type { MinecraftTaskParams } from './task-params';

const generator = createMinecraftTaskGenerator();

describe('createMinecraftTaskGenerator', () => {
  it('lists the families, marking those that need recipe knowledge absent from the goal', () => {
    const families = generator.families();
    const flags = Object.fromEntries(families.map((f) => [f.family, f.needsExperience]));
    expect(flags).toEqual({
      'gather-logs': false,
      'craft-planks': true,
      'craft-sticks': true,
      'craft-crafting-table': true,
      'craft-wooden-pickaxe': true,
      'mine-stone': true,
      'build-structure': false,
      'coop-craft': true,
    });
    for (const f of families) expect(f.environment).toBe('minecraft');
  });

  it('is deterministic for a seed and varies layouts across seeds', () => {
    const a = generator.generate({ family: 'craft-wooden-pickaxe', difficulty: 2, seed: 11, split: 'train' });
    const b = generator.generate({ family: 'craft-wooden-pickaxe', difficulty: 2, seed: 11, split: 'train' });
    expect(b).toEqual(a);
    const layouts = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        JSON.stringify(
          (
            generator.generate({ family: 'gather-logs', difficulty: 1, seed, split: 'train' })
              .params as unknown as MinecraftTaskParams
          ).trees,
        ),
      ),
    );
    expect(layouts.size).toBeGreaterThan(1);
  });

  it('generates every family and difficulty with a goal, a step budget and valid params', () => {
    for (const family of generator.families()) {
      for (const difficulty of family.difficulties) {
        const task = generator.generate({ family: family.family, difficulty, seed: 3, split: 'heldout' });
        const params = task.params as unknown as MinecraftTaskParams;
        expect(task.id).toBe(`minecraft/${family.family}/d${difficulty}/heldout/3`);
        expect(task.goal.length).toBeGreaterThan(10);
        expect(task.maxSteps).toBeGreaterThan(2);
        expect(params.inventories).toHaveLength(params.agents);
        // Everything stands within the task region (radius 8).
        for (const t of params.trees) expect(Math.max(Math.abs(t.x), Math.abs(t.z))).toBeLessThanOrEqual(7);
      }
    }
  });

  it('gives cooperative tasks split inventories: neither agent can finish alone', () => {
    const task = generator.generate({ family: 'coop-craft', difficulty: 1, seed: 1, split: 'train' });
    const params = task.params as unknown as MinecraftTaskParams;
    expect(params.agents).toBe(2);
    expect(params.inventories).toEqual([{ oak_planks: 3 }, { stick: 2 }]);
  });

  it('explains bad requests', () => {
    expect(() =>
      generator.generate({ family: 'nether-portal', difficulty: 0, seed: 1, split: 'train' }),
    ).toThrow(/unknown Minecraft task family "nether-portal"; known: gather-logs/);
    expect(() =>
      generator.generate({ family: 'craft-planks', difficulty: 5, seed: 1, split: 'train' }),
    ).toThrow(/no difficulty 5/);
  });
});
