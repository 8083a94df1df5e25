/**
 * Candidate tool calls for a scoring policy: a moderate list (at most 40) of concrete calls with
 * short texts (`collect oak_log 3`, `craft stick x1`, `give oak_planks 3 to bob`). The list covers
 * what a solution needs and a good deal of what it does not, so a policy must learn which matter.
 */
import type { CandidateAction } from '@chimera/toolbelt';
import type { BotObservation } from '@chimera/toolbelt/mineflayer';
import type { BlockPos } from '../server/protocol';
import type { BlueprintBlock, MinecraftTaskParams } from '../tasks/task-params';

export const MAX_CANDIDATES = 40;

/** Items offered for crafting whether or not the inventory allows them (failures teach recipes). */
export const CRAFT_MENU = [
  'oak_planks',
  'stick',
  'crafting_table',
  'wooden_pickaxe',
  'wooden_axe',
  'wooden_sword',
  'oak_slab',
  'chest',
  'stone_pickaxe',
  'furnace',
] as const;

/** Ground and foliage: collecting them never helps a task here, listing them only adds noise. */
const NOT_COLLECTED = new Set(['grass_block', 'dirt', 'bedrock', 'oak_leaves', 'short_grass', 'tall_grass']);
const TOOL_SUFFIXES = ['_pickaxe', '_axe', '_shovel', '_sword'];

export interface CandidateContext {
  params: MinecraftTaskParams;
  origin: BlockPos;
  observation: BotObservation;
  /** The other agent's username in a cooperative task, once joined. */
  partner: string | null;
  /** Blueprint cells not yet built (blueprint tasks). */
  blueprintRemaining: BlueprintBlock[];
}

export function buildCandidates(ctx: CandidateContext): CandidateAction[] {
  const out: CandidateAction[] = [];
  const seen = new Set<string>();
  const add = (text: string, tool: string, args: Record<string, unknown>) => {
    if (seen.has(text) || out.length >= MAX_CANDIDATES) return;
    seen.add(text);
    out.push({ text, call: { tool, args } });
  };
  const obs = ctx.observation;

  for (const cell of ctx.blueprintRemaining) {
    const at = { x: ctx.origin.x + cell.x, y: ctx.origin.y + cell.y, z: ctx.origin.z + cell.z };
    add(`place ${cell.name} at ${cell.x},${cell.y},${cell.z}`, 'place_block', { block: cell.name, ...at });
  }
  for (const block of obs.nearbyBlocks) {
    if (NOT_COLLECTED.has(block.name)) continue;
    add(`collect ${block.name} 1`, 'collect_blocks', { block: block.name, count: 1 });
    add(`collect ${block.name} 3`, 'collect_blocks', { block: block.name, count: 3 });
  }
  for (const item of CRAFT_MENU) {
    add(`craft ${item} x1`, 'craft_item', { item, times: 1 });
    if (item === 'oak_planks' || item === 'stick') add(`craft ${item} x2`, 'craft_item', { item, times: 2 });
  }
  if (ctx.partner) {
    for (const [item, count] of Object.entries(obs.inventory)) {
      add(`give ${item} ${count} to ${ctx.partner}`, 'give_item', { player: ctx.partner, item, count });
    }
    add(`go to ${ctx.partner}`, 'go_to_player', { player: ctx.partner, distance: 2 });
    const have = Object.keys(obs.inventory).join(', ') || 'nothing';
    add(`say "I have ${have}"`, 'chat', { message: `I have ${have}`, to: ctx.partner });
  }
  for (const item of Object.keys(obs.inventory)) {
    if (TOOL_SUFFIXES.some((s) => item.endsWith(s)) && obs.held !== item)
      add(`equip ${item}`, 'equip', { item });
  }
  for (const block of obs.nearbyBlocks) {
    if (NOT_COLLECTED.has(block.name)) continue;
    add(`go to ${block.name}`, 'go_to_block', { block: block.name, range: 2 });
  }
  for (const entity of obs.nearbyEntities) {
    if (entity.kind !== 'player' && entity.kind !== 'item')
      add(`attack ${entity.id} ${entity.name}`, 'attack', { target: entity.id, hits: 3 });
  }
  return out;
}
