/**
 * craft_item (MINDcraft: craftRecipe): craft from the inventory, at a crafting table when the
 * recipe is 3x3 (walking to a nearby table, or placing one from the inventory). A failure names
 * what is missing, which is what lets a learner discover recipe chains.
 */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction, searchBox } from '../agent-state';
import { findNearestBlocks } from '../block-scan';
import { missingIngredients, recipesByResult } from '../crafting';
import { type Bot, goals } from '../deps';
import { walkTo } from '../movement';
import { resolveItemName } from '../names';
import { freeSpotNear, placeAt } from './place-block';
import { actionReportSchema, TAGS } from './report-schema';

type Block = NonNullable<ReturnType<Bot['blockAt']>>;

async function reachableTable(state: MineflayerAgentState, signal: AbortSignal): Promise<Block | null> {
  const { bot } = state;
  const tableId = bot.registry.blocksByName.crafting_table!.id;
  const nearest = findNearestBlocks(bot, new Set([tableId]), searchBox(state), 1)[0];
  let table = nearest ? bot.blockAt(nearest) : null;
  if (!table && bot.inventory.items().some((i) => i.name === 'crafting_table')) {
    const spot = freeSpotNear(bot);
    if (!spot)
      throw new ToolCallError('handler_error', 'no free spot next to the bot to place the crafting table');
    await placeAt(bot, 'crafting_table', spot, signal);
    table = bot.blockAt(spot);
  }
  if (!table) return null;
  const p = table.position;
  // From the center of the bot's block: whether it walks depends on its block, not on timing.
  if (
    bot.entity.position
      .floored()
      .offset(0.5, 0, 0.5)
      .distanceTo(p.offset(0.5, 0.5, 0.5)) > 4
  ) {
    await walkTo(bot, new goals.GoalNear(p.x, p.y, p.z, 2), signal, `the crafting table at ${p}`);
  }
  return bot.blockAt(p);
}

export function craftItemTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'craft_item',
    description:
      'Craft an item `times` times (one craft of oak_planks yields 4). Uses a crafting table for 3x3 ' +
      'recipes: a nearby one, or one from the inventory that it places. Fails naming the missing ingredients.',
    environmentTags: TAGS,
    timeoutMs: 30_000,
    input: z.object({ item: z.string().min(1), times: z.number().int().min(1).max(64).default(1) }),
    output: actionReportSchema,
    handler: ({ item, times }, ctx) => {
      const { bot } = state;
      const { id, name } = resolveItemName(bot, item);
      return runAction(state, `craft ${name} x${times}`, ctx.signal, async () => {
        if (!recipesByResult(bot).has(id)) {
          throw new ToolCallError('handler_error', `${name} has no crafting recipe (it must be gathered)`);
        }
        let table: Block | null = null;
        let recipe = bot.recipesFor(id, null, 1, null)[0];
        if (!recipe) {
          const lack = missingIngredients(bot, id);
          if (lack && Object.keys(lack.missing).length > 0) {
            const list = Object.entries(lack.missing)
              .map(([n, c]) => `${c} ${n}`)
              .join(', ');
            throw new ToolCallError('handler_error', `cannot craft ${name}: missing ${list}`, {
              details: { missing: lack.missing, needsCraftingTable: lack.needsTable },
            });
          }
          table = await reachableTable(state, ctx.signal);
          if (!table) {
            throw new ToolCallError(
              'handler_error',
              `${name} needs a crafting table: none nearby and none in the inventory`,
              { details: { needsCraftingTable: true } },
            );
          }
          recipe = bot.recipesFor(id, null, 1, table)[0];
          if (!recipe) throw new ToolCallError('handler_error', `cannot craft ${name} here`);
        }
        let possible = times;
        while (possible > 1 && bot.recipesFor(id, null, possible * recipe.result.count, table).length === 0) {
          possible--;
        }
        await bot.craft(recipe, possible, table ?? undefined);
        return possible < times
          ? `crafted ${name} x${possible} (ingredients for only ${possible} of ${times})`
          : `crafted ${name} x${possible}`;
      });
    },
  });
}
