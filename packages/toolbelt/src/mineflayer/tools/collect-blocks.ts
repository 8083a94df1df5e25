/**
 * collect_blocks: mine N blocks of a type, nearest first, and pick up their drops (MINDcraft:
 * collectBlocks). One high-level action instead of dozens of moves, so an episode stays short.
 */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction, searchBox } from '../agent-state';
import { eyesAtBlockCenter, findNearestBlocks } from '../block-scan';
import { type Bot, goals, type Vec3 } from '../deps';
import { sleep, throwIfAborted } from '../interrupt';
import { walkTo } from '../movement';
import { resolveBlockName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

/** The game's survival reach from the eyes, a little reduced for safety. */
const REACH = 4.5;

function eyeDistance(bot: Bot, pos: Vec3): number {
  return eyesAtBlockCenter(bot).distanceTo(pos.offset(0.5, 0.5, 0.5));
}

/** Item entities within this many blocks of a dug block count as its drops. */
const DROP_RADIUS = 6;
/** How long one drop may take to be picked up once the bot stands by it. */
const PICKUP_WAIT_MS = 1500;

function itemsHeld(bot: Bot): number {
  return bot.inventory.items().reduce((n, item) => n + item.count, 0);
}

/**
 * Whether digging `blockName` with the right tool leaves a drop for sure (the loot table has an
 * entry without a chance below one half: stone -> cobblestone, not leaves -> sapling).
 * Unknown blocks count as dropping.
 */
export function dropsForSure(bot: Bot, blockName: string): boolean {
  const loot = (bot.registry as unknown as { blockLoot?: Record<string, { drops: LootDrop[] }> }).blockLoot;
  const entry = loot?.[blockName];
  if (!entry) return true;
  return entry.drops.some((d) => (d.dropChance ?? 1) >= 0.5);
}

interface LootDrop {
  dropChance?: number;
}

/**
 * Picks up the drops of blocks just dug near `near`. With `expected` > 0 it keeps going (within the
 * budget) until the inventory holds that many more items than `heldBefore`, waiting for drops whose
 * spawn packet has not arrived yet: a slow server (a loaded machine) then gives the same outcome as a
 * fast one, where a fixed wait would give up on a drop that had not shown up yet. With `expected` 0
 * it picks up whatever drops are in sight.
 *
 * `columns` are the dug blocks: their drops fall straight down their own columns, so the bot first
 * walks next to each (in order; no step when it already stands there) whether or not a drop was
 * already picked up on the way. That walk depends only on the world, not on how fast the server
 * was, so the bot ends in the same block on a loaded machine as on an idle one. Only a drop that is
 * still missing after it is chased where it lies.
 */
export async function pickUpDrops(
  bot: Bot,
  near: Vec3,
  signal: AbortSignal,
  options: { expected?: number; heldBefore?: number; budgetMs?: number; columns?: readonly Vec3[] } = {},
): Promise<void> {
  const { expected = 0, heldBefore = itemsHeld(bot), budgetMs = 6000, columns = [] } = options;
  const deadline = performance.now() + budgetMs;
  const skipped = new Set<number>();
  const drops = () =>
    Object.values(bot.entities).filter(
      (e) => e.name === 'item' && e.position.distanceTo(near) <= DROP_RADIUS && !skipped.has(e.id),
    );
  // Drops pop up, fall and become collectable after a short delay.
  await sleep(300, signal);
  for (const c of columns) {
    try {
      await walkTo(bot, new goals.GoalNearXZ(c.x, c.z, 1), signal, 'the dropped items');
    } catch {
      break;
    }
  }
  while (performance.now() < deadline && !signal.aborted) {
    if (expected > 0 && itemsHeld(bot) - heldBefore >= expected) return;
    const pending = drops();
    if (pending.length === 0) {
      if (expected === 0) return;
      await sleep(50, signal);
      continue;
    }
    const nearest = pending.reduce((a, b) =>
      a.position.distanceTo(bot.entity.position) <= b.position.distanceTo(bot.entity.position) ? a : b,
    );
    const p = nearest.position;
    try {
      // Its column, not its current point: a falling drop's height depends on timing.
      await walkTo(
        bot,
        new goals.GoalNearXZ(Math.floor(p.x), Math.floor(p.z), 1),
        signal,
        'the dropped items',
      );
    } catch {
      return;
    }
    const gone = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), PICKUP_WAIT_MS);
      function finish(value: boolean) {
        clearTimeout(timer);
        bot.removeListener('entityGone', onGone);
        resolve(value);
      }
      function onGone(entity: { id: number }) {
        if (entity.id === nearest.id) finish(true);
      }
      bot.on('entityGone', onGone);
      if (!bot.entities[nearest.id]) finish(true);
    });
    // Standing on it and still not picked up (a full inventory): leave it.
    if (!gone && nearest.position.distanceTo(bot.entity.position) < 1) skipped.add(nearest.id);
  }
}

export function collectBlocksTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'collect_blocks',
    description:
      'Mine `count` blocks of a type (nearest first, walking to them) and pick up the drops. ' +
      'Equips the best tool it has; some blocks (stone, ores) drop nothing without the right pickaxe.',
    environmentTags: TAGS,
    timeoutMs: 60_000,
    input: z.object({ block: z.string().min(1), count: z.number().int().min(1).max(64).default(1) }),
    output: actionReportSchema,
    handler: ({ block, count }, ctx) => {
      const { bot } = state;
      const { id, name } = resolveBlockName(bot, block);
      return runAction(state, `collect ${name} ${count}`, ctx.signal, async () => {
        const unreachable = new Set<string>();
        let dug = 0;
        let lastDug: Vec3 | null = null;
        // Each block dug since the last pick-up that drops for sure adds at least one item.
        const dropsEach = dropsForSure(bot, name) ? 1 : 0;
        let heldBefore = itemsHeld(bot);
        let dugSincePickUp: Vec3[] = [];
        const pickUp = async (at: Vec3) => {
          const expected = dugSincePickUp.length * dropsEach;
          await pickUpDrops(bot, at, ctx.signal, {
            expected,
            heldBefore,
            columns: expected > 0 ? dugSincePickUp : [],
          });
          dugSincePickUp = [];
          heldBefore = itemsHeld(bot);
        };
        const ids = new Set([id]);
        const candidates = () =>
          findNearestBlocks(bot, ids, searchBox(state), 256).filter((p) => !unreachable.has(p.toString()));

        while (dug < count) {
          throwIfAborted(ctx.signal);
          const target = candidates()[0];
          if (!target) break;
          if (eyeDistance(bot, target) > REACH) {
            if (lastDug) await pickUp(lastDug);
            lastDug = null;
            try {
              await walkTo(
                bot,
                new goals.GoalNearXZ(target.x, target.z, 2),
                ctx.signal,
                `${name} at ${target}`,
              );
            } catch {
              unreachable.add(target.toString());
              continue;
            }
            if (eyeDistance(bot, target) > REACH) {
              unreachable.add(target.toString());
              continue;
            }
          }
          const current = bot.blockAt(target);
          if (!current || current.type !== id) continue;
          const tool = bot.pathfinder.bestHarvestTool(current);
          if (tool) await bot.equip(tool, 'hand');
          if (!current.canHarvest(bot.heldItem?.type ?? null)) {
            const tools = Object.keys(current.harvestTools ?? {}).map(
              (t) => bot.registry.items[Number(t)]?.name,
            );
            throw new ToolCallError(
              'handler_error',
              `${name} drops nothing without one of: ${tools.join(', ')}`,
              {
                details: { requires: tools },
              },
            );
          }
          await bot.dig(current, true);
          dug++;
          dugSincePickUp.push(target);
          lastDug = target;
        }
        if (lastDug) await pickUp(lastDug);
        if (dug === 0) {
          throw new ToolCallError(
            'handler_error',
            `no reachable ${name} within ${state.searchRadius} blocks`,
          );
        }
        return dug < count ? `dug ${dug} of ${count} ${name} (no more reachable)` : `dug ${dug} ${name}`;
      });
    },
  });
}
