/** place_block (MINDcraft: placeHere), and the placement routine crafting reuses for tables. */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction } from '../agent-state';
import { type Bot, goals, type Vec3, vec3 } from '../deps';
import { throwIfAborted } from '../interrupt';
import { walkTo } from '../movement';
import { resolveItemName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

const REPLACEABLE = new Set([
  'air',
  'cave_air',
  'void_air',
  'short_grass',
  'tall_grass',
  'fern',
  'water',
  'snow',
]);

/** Places one `itemName` at `pos`, walking into range first. Returns the placed position. */
export async function placeAt(bot: Bot, itemName: string, pos: Vec3, signal: AbortSignal): Promise<Vec3> {
  const { id, name } = resolveItemName(bot, itemName);
  const item = bot.inventory.items().find((i) => i.type === id);
  if (!item) throw new ToolCallError('handler_error', `no ${name} in the inventory`);
  if (!bot.registry.blocksByName[name]) {
    throw new ToolCallError('invalid_arguments', `${name} is an item, not a block: it cannot be placed`);
  }
  const existing = bot.blockAt(pos);
  if (!existing) throw new ToolCallError('handler_error', `${pos} is not loaded (too far away)`);
  if (!REPLACEABLE.has(existing.name)) {
    throw new ToolCallError('handler_error', `${pos} is occupied by ${existing.name}`);
  }
  const goal = new goals.GoalPlaceBlock(pos, bot.world, { range: 4.5, LOS: false } as never);
  await walkTo(bot, goal as never, signal, `a spot to place ${name} at ${pos}`);
  throwIfAborted(signal);
  const head = bot.entity.position.floored().offset(0.5, 1.6, 0.5);
  const found = (
    goal as unknown as { getFaceAndRef(head: Vec3): { face: Vec3; ref: Vec3 } | null }
  ).getFaceAndRef(head);
  if (!found) throw new ToolCallError('handler_error', `nothing to place ${name} against at ${pos}`);
  const reference = bot.blockAt(found.ref);
  if (!reference) throw new ToolCallError('handler_error', `the block next to ${pos} is not loaded`);
  await bot.equip(item, 'hand');
  await bot.placeBlock(reference, found.face.scaled(-1));
  return pos;
}

/** A free spot near the bot (replaceable, with a solid block below, not where it stands), nearest first. */
export function freeSpotNear(bot: Bot): Vec3 | null {
  const feet = bot.entity.position.floored();
  const spots: { spot: Vec3; d: number }[] = [];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dz = -3; dz <= 3; dz++) {
      for (let dx = -3; dx <= 3; dx++) {
        // Not the bot's own column (feet and head cells).
        if (dx === 0 && dz === 0) continue;
        const spot = vec3(feet.x + dx, feet.y + dy, feet.z + dz);
        const here = bot.blockAt(spot);
        const below = bot.blockAt(spot.offset(0, -1, 0));
        if (!here || !REPLACEABLE.has(here.name) || !below || below.boundingBox !== 'block') continue;
        spots.push({ spot, d: Math.abs(dx) + Math.abs(dz) + Math.abs(dy) * 2 });
      }
    }
  }
  spots.sort((a, b) => a.d - b.d);
  return spots[0]?.spot ?? null;
}

export function placeBlockTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'place_block',
    description:
      'Place a block from the inventory at block coordinates (x, y, z), next to an existing block.',
    environmentTags: TAGS,
    timeoutMs: 20_000,
    input: z.object({
      block: z.string().min(1),
      x: z.number().int(),
      y: z.number().int(),
      z: z.number().int(),
    }),
    output: actionReportSchema,
    handler: ({ block, x, y, z: zz }, ctx) =>
      runAction(state, `place ${block} ${x},${y},${zz}`, ctx.signal, async () => {
        await placeAt(state.bot, block, vec3(x, y, zz), ctx.signal);
        return `placed ${block} at ${x},${y},${zz}`;
      }),
  });
}
