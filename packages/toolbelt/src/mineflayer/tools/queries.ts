/**
 * Read-only queries (MINDcraft: stats, inventory, nearbyBlocks, entities, craftable). They change
 * nothing in the world and return structured data.
 */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { inventoryCounts } from '../action-report';
import { type MineflayerAgentState, searchBox } from '../agent-state';
import { findNearestBlocks } from '../block-scan';
import { craftableItems } from '../crafting';
import { ensureConnected } from '../interrupt';
import { observeBot } from '../observe';
import { TAGS } from './report-schema';

const readOnly = { readOnlyHint: true, idempotentHint: true } as const;
const counts = z.record(z.string(), z.number());
const triple = z.tuple([z.number(), z.number(), z.number()]);

export function statsTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'stats',
    description: "The bot's position, health, food, time of day and held item.",
    environmentTags: TAGS,
    annotations: readOnly,
    input: z.object({}),
    output: z.object({
      position: triple,
      health: z.number(),
      food: z.number(),
      time: z.number(),
      held: z.string().nullable(),
      gameMode: z.string(),
    }),
    handler: () => {
      ensureConnected(state.bot);
      const obs = observeBot(state, { blockRadius: 0, blockDepth: 0, blockHeight: 0, entityRadius: 0 });
      return {
        position: obs.position,
        health: obs.health,
        food: obs.food,
        time: obs.time,
        held: obs.held,
        gameMode: state.bot.game.gameMode,
      };
    },
  });
}

export function inventoryTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'inventory',
    description: 'Item counts in the inventory, by name.',
    environmentTags: TAGS,
    annotations: readOnly,
    input: z.object({}),
    output: z.object({ items: counts }),
    handler: () => {
      ensureConnected(state.bot);
      return { items: inventoryCounts(state.bot) };
    },
  });
}

export function nearbyBlocksTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'nearby_blocks',
    description: 'Block types around the bot with counts and the nearest position of each.',
    environmentTags: TAGS,
    annotations: readOnly,
    input: z.object({ radius: z.number().int().min(1).max(16).default(8) }),
    output: z.object({
      blocks: z.array(
        z.object({ name: z.string(), count: z.number(), nearest: triple, distance: z.number() }),
      ),
    }),
    handler: ({ radius }) => {
      ensureConnected(state.bot);
      return {
        blocks: observeBot(state, { blockRadius: radius, entityRadius: 0, maxBlockTypes: 24 }).nearbyBlocks,
      };
    },
  });
}

export function nearbyEntitiesTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'nearby_entities',
    description: 'Players, mobs and dropped items around the bot, with short ids that attack accepts.',
    environmentTags: TAGS,
    annotations: readOnly,
    input: z.object({ radius: z.number().min(1).max(64).default(16) }),
    output: z.object({
      entities: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          name: z.string(),
          distance: z.number(),
          position: triple,
        }),
      ),
    }),
    handler: ({ radius }) => {
      ensureConnected(state.bot);
      const obs = observeBot(state, {
        blockRadius: 0,
        blockDepth: 0,
        blockHeight: 0,
        entityRadius: radius,
        maxEntities: 50,
      });
      return { entities: obs.nearbyEntities };
    },
  });
}

export function craftableItemsTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'craftable_items',
    description:
      'Items the inventory can craft right now, how many times, and whether a crafting table is needed ' +
      '(3x3 recipes count when a table is nearby or in the inventory).',
    environmentTags: TAGS,
    annotations: readOnly,
    input: z.object({}),
    output: z.object({
      tableAvailable: z.boolean(),
      items: z.array(
        z.object({ name: z.string(), times: z.number(), yields: z.number(), needsTable: z.boolean() }),
      ),
    }),
    handler: () => {
      ensureConnected(state.bot);
      const tableAvailable = hasTable(state);
      return { tableAvailable, items: craftableItems(state.bot, tableAvailable) };
    },
  });
}

/** A crafting table within the search radius, or one in the inventory (craft_item places it). */
export function hasTable(state: MineflayerAgentState): boolean {
  const { bot } = state;
  if (bot.inventory.items().some((i) => i.name === 'crafting_table')) return true;
  const tableId = bot.registry.blocksByName.crafting_table?.id;
  return tableId !== undefined && findNearestBlocks(bot, new Set([tableId]), searchBox(state), 1).length > 0;
}
