/**
 * Recipe arithmetic over minecraft-data's recipe table (the one mineflayer crafts from): what an
 * inventory can craft now, and what is missing for an item, so a failed craft tells the model
 * exactly which ingredient to get first.
 */
import type { Bot } from './deps';

interface RawRecipe {
  inShape?: (number | null)[][];
  ingredients?: (number | null)[];
  result: { id: number; count: number };
}

export interface RecipeSummary {
  resultCount: number;
  needsTable: boolean;
  /** Ingredient id -> count for one craft. */
  needs: Map<number, number>;
}

export interface CraftableItem {
  name: string;
  /** How many times the recipe can run with the current inventory. */
  times: number;
  /** Items one craft yields. */
  yields: number;
  needsTable: boolean;
}

const cache = new WeakMap<object, Map<number, RecipeSummary[]>>();

/** Every recipe of the bot's version, by result id (computed once per registry). */
export function recipesByResult(bot: Bot): Map<number, RecipeSummary[]> {
  const registry = bot.registry as unknown as { recipes: Record<string, RawRecipe[]> };
  const cached = cache.get(registry);
  if (cached) return cached;
  const out = new Map<number, RecipeSummary[]>();
  for (const [resultId, list] of Object.entries(registry.recipes)) {
    const summaries: RecipeSummary[] = [];
    for (const recipe of list) {
      const needs = new Map<number, number>();
      const cells = recipe.inShape ? recipe.inShape.flat() : (recipe.ingredients ?? []);
      for (const id of cells) if (id != null) needs.set(id, (needs.get(id) ?? 0) + 1);
      if (needs.size === 0) continue;
      const width = recipe.inShape ? Math.max(...recipe.inShape.map((r) => r.length)) : 0;
      const height = recipe.inShape ? recipe.inShape.length : 0;
      const needsTable = recipe.inShape ? width > 2 || height > 2 : cells.length > 4;
      summaries.push({ resultCount: recipe.result.count, needsTable, needs });
    }
    if (summaries.length > 0) out.set(Number(resultId), summaries);
  }
  cache.set(registry, out);
  return out;
}

export function countsById(bot: Bot): Map<number, number> {
  const counts = new Map<number, number>();
  for (const item of bot.inventory.items()) counts.set(item.type, (counts.get(item.type) ?? 0) + item.count);
  return counts;
}

function timesCraftable(recipe: RecipeSummary, have: Map<number, number>): number {
  let times = Number.POSITIVE_INFINITY;
  for (const [id, n] of recipe.needs) times = Math.min(times, Math.floor((have.get(id) ?? 0) / n));
  return times;
}

/** Items the inventory can craft now; `withTable` includes 3x3 recipes. Sorted by name. */
export function craftableItems(bot: Bot, withTable: boolean): CraftableItem[] {
  const have = countsById(bot);
  const out: CraftableItem[] = [];
  for (const [resultId, recipes] of recipesByResult(bot)) {
    let best: CraftableItem | null = null;
    for (const recipe of recipes) {
      if (recipe.needsTable && !withTable) continue;
      const times = timesCraftable(recipe, have);
      if (times < 1) continue;
      if (!best || times > best.times) {
        const name = bot.registry.items[resultId]?.name ?? String(resultId);
        best = { name, times, yields: recipe.resultCount, needsTable: recipe.needsTable };
      }
    }
    if (best) out.push(best);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * For an item that cannot be crafted now: the recipe closest to being craftable and what it
 * lacks (by name). Null when the item has no recipe at all.
 */
export function missingIngredients(
  bot: Bot,
  itemId: number,
  times = 1,
): { needsTable: boolean; missing: Record<string, number> } | null {
  const recipes = recipesByResult(bot).get(itemId);
  if (!recipes) return null;
  const have = countsById(bot);
  let best: { needsTable: boolean; missing: Record<string, number>; total: number; idSum: number } | null =
    null;
  for (const recipe of recipes) {
    const missing: Record<string, number> = {};
    let total = 0;
    // Ties (sticks from any of eleven planks) go to the lowest item ids: the oak variants.
    let idSum = 0;
    for (const id of recipe.needs.keys()) idSum += id;
    for (const [id, n] of recipe.needs) {
      const lack = n * times - (have.get(id) ?? 0);
      if (lack > 0) {
        missing[bot.registry.items[id]?.name ?? String(id)] = lack;
        total += lack;
      }
    }
    if (!best || total < best.total || (total === best.total && idSum < best.idSum)) {
      best = { needsTable: recipe.needsTable, missing, total, idSum };
    }
  }
  return best && { needsTable: best.needsTable, missing: best.missing };
}
