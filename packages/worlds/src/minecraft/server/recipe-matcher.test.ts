import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RecipeMatcher } from './recipe-matcher';
import type { RegistryRecipe } from './squid-types';

const require = createRequire(import.meta.url);
const data = require('minecraft-data')('1.21.4') as {
  recipes: Record<string, RegistryRecipe[]>;
  itemsByName: Record<string, { id: number }>;
  items: Record<number, { name: string }>;
};
const id = (name: string) => data.itemsByName[name]!.id;
const matcher = new RecipeMatcher(data.recipes);
const name = (m: { resultId: number } | null) => (m ? data.items[m.resultId]!.name : null);

function grid(size: number, cells: (string | null)[]) {
  return { width: size, height: size, cells: cells.map((c) => (c ? id(c) : null)) };
}

describe('RecipeMatcher (minecraft-data 1.21.4 recipes)', () => {
  it('matches a shapeless recipe in any cell of the 2x2 grid', () => {
    for (let cell = 0; cell < 4; cell++) {
      const cells: (string | null)[] = [null, null, null, null];
      cells[cell] = 'oak_log';
      expect(matcher.match(grid(2, cells))).toEqual({ resultId: id('oak_planks'), resultCount: 4 });
    }
  });

  it('matches shaped recipes wherever they sit, and 3x3 shapes only in a 3x3 grid', () => {
    expect(name(matcher.match(grid(2, [null, 'oak_planks', null, 'oak_planks'])))).toBe('stick');
    expect(
      name(matcher.match(grid(3, [null, null, null, null, 'oak_planks', null, null, 'oak_planks', null]))),
    ).toBe('stick');
    const pickaxe = ['oak_planks', 'oak_planks', 'oak_planks', null, 'stick', null, null, 'stick', null];
    expect(matcher.match(grid(3, pickaxe))).toEqual({ resultId: id('wooden_pickaxe'), resultCount: 1 });
  });

  it('accepts the left-right mirror of an asymmetric recipe', () => {
    const axe = ['oak_planks', 'oak_planks', null, 'oak_planks', 'stick', null, null, 'stick', null];
    const mirrored = [null, 'oak_planks', 'oak_planks', null, 'stick', 'oak_planks', null, 'stick', null];
    expect(name(matcher.match(grid(3, axe)))).toBe('wooden_axe');
    expect(name(matcher.match(grid(3, mirrored)))).toBe('wooden_axe');
  });

  it('rejects wrong shapes, wrong items and empty grids', () => {
    expect(name(matcher.match(grid(2, ['oak_planks', 'oak_planks', null, null])))).toBe('oak_pressure_plate');
    expect(matcher.match(grid(2, ['stick', 'oak_log', null, null]))).toBeNull();
    const upsideDown = [null, 'stick', null, null, 'stick', null, 'oak_planks', 'oak_planks', 'oak_planks'];
    expect(matcher.match(grid(3, upsideDown))).toBeNull();
    expect(matcher.match(grid(2, [null, null, null, null]))).toBeNull();
  });
});
