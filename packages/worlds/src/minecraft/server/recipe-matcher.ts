/**
 * Server-side crafting: which recipe (from minecraft-data, the same table mineflayer plans with)
 * does a crafting grid hold? flying-squid ships no recipe logic, so without this the result
 * slot never fills and mineflayer's `bot.craft` waits forever.
 *
 * Matching follows the game: a shaped recipe may sit anywhere in the grid and may be mirrored
 * left-right; a shapeless recipe matches the multiset of items regardless of position.
 */
import type { RegistryRecipe } from './squid-types';

/** A crafting grid, row-major, `null` for an empty cell. */
export interface CraftingGrid {
  width: number;
  height: number;
  cells: (number | null)[];
}

export interface RecipeMatch {
  resultId: number;
  resultCount: number;
}

interface IndexedRecipe {
  shape: (number | null)[][] | null;
  ingredients: number[] | null;
  resultId: number;
  resultCount: number;
}

function multisetKey(ids: number[]): string {
  return [...ids].sort((a, b) => a - b).join(',');
}

/** Trims empty rows and columns; returns null for an empty grid. */
function trim(grid: CraftingGrid): (number | null)[][] | null {
  let top = grid.height;
  let bottom = -1;
  let left = grid.width;
  let right = -1;
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      if (grid.cells[y * grid.width + x] == null) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  if (bottom < 0) return null;
  const rows: (number | null)[][] = [];
  for (let y = top; y <= bottom; y++) {
    const row: (number | null)[] = [];
    for (let x = left; x <= right; x++) row.push(grid.cells[y * grid.width + x] ?? null);
    rows.push(row);
  }
  return rows;
}

function trimShape(shape: (number | null)[][]): (number | null)[][] | null {
  const height = shape.length;
  const width = Math.max(0, ...shape.map((r) => r.length));
  const cells: (number | null)[] = [];
  for (const row of shape) for (let x = 0; x < width; x++) cells.push(row[x] ?? null);
  return trim({ width, height, cells });
}

function sameShape(a: (number | null)[][], b: (number | null)[][], mirrored: boolean): boolean {
  if (a.length !== b.length) return false;
  for (let y = 0; y < a.length; y++) {
    const ra = a[y]!;
    const rb = b[y]!;
    if (ra.length !== rb.length) return false;
    for (let x = 0; x < ra.length; x++) {
      const cb = mirrored ? rb[rb.length - 1 - x] : rb[x];
      if ((ra[x] ?? null) !== (cb ?? null)) return false;
    }
  }
  return true;
}

/** An index over every recipe of a version, keyed by the multiset of ingredient ids. */
export class RecipeMatcher {
  private readonly byMultiset = new Map<string, IndexedRecipe[]>();

  constructor(recipes: Record<string, RegistryRecipe[]>) {
    for (const list of Object.values(recipes)) {
      for (const recipe of list) {
        const shape = recipe.inShape ? trimShape(recipe.inShape) : null;
        const ids = shape
          ? shape.flat().filter((id): id is number => id != null)
          : (recipe.ingredients ?? []).filter((id) => id != null);
        if (ids.length === 0) continue;
        const entry: IndexedRecipe = {
          shape,
          ingredients: shape ? null : ids,
          resultId: recipe.result.id,
          resultCount: recipe.result.count,
        };
        const key = multisetKey(ids);
        const bucket = this.byMultiset.get(key);
        if (bucket) bucket.push(entry);
        else this.byMultiset.set(key, [entry]);
      }
    }
  }

  /** The recipe the grid holds, or null. Shaped recipes are tried before shapeless ones. */
  match(grid: CraftingGrid): RecipeMatch | null {
    const rows = trim(grid);
    if (!rows) return null;
    const ids = rows.flat().filter((id): id is number => id != null);
    const candidates = this.byMultiset.get(multisetKey(ids));
    if (!candidates) return null;
    for (const c of candidates) {
      if (c.shape && (sameShape(rows, c.shape, false) || sameShape(rows, c.shape, true))) {
        return { resultId: c.resultId, resultCount: c.resultCount };
      }
    }
    const shapeless = candidates.find((c) => c.ingredients !== null);
    return shapeless ? { resultId: shapeless.resultId, resultCount: shapeless.resultCount } : null;
  }
}
