/**
 * collect_blocks: mine N blocks of a type, nearest first, and pick up their drops (MINDcraft:
 * collectBlocks). One high-level action instead of dozens of moves, so an episode stays short.
 */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction, searchBox } from '../agent-state';
import { findNearestBlocks } from '../block-scan';
import { type Bot, goals, type Vec3 } from '../deps';
import { sleep, throwIfAborted } from '../interrupt';
import { walkTo } from '../movement';
import { resolveBlockName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

/** The game's survival reach from the eyes, a little reduced for safety. */
const REACH = 4.5;
const EYE_HEIGHT = 1.62;

function eyeDistance(bot: Bot, pos: Vec3): number {
  return bot.entity.position.offset(0, EYE_HEIGHT, 0).distanceTo(pos.offset(0.5, 0.5, 0.5));
}

/** Walks over to the item entities dropped near `near` until they are picked up (or time runs out). */
export async function pickUpDrops(bot: Bot, near: Vec3, signal: AbortSignal, budgetMs = 3000): Promise<void> {
  const deadline = performance.now() + budgetMs;
  const drops = () =>
    Object.values(bot.entities).filter((e) => e.name === 'item' && e.position.distanceTo(near) <= 6);
  // Drops pop up, fall and become collectable after a short delay.
  await sleep(300, signal);
  while (performance.now() < deadline && !signal.aborted) {
    const pending = drops();
    if (pending.length === 0) return;
    const nearest = pending.reduce((a, b) =>
      a.position.distanceTo(bot.entity.position) <= b.position.distanceTo(bot.entity.position) ? a : b,
    );
    const p = nearest.position;
    try {
      await walkTo(bot, new goals.GoalNear(p.x, p.y, p.z, 1), signal, 'the dropped items');
    } catch {
      return;
    }
    const gone = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), 600);
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
    if (!gone && nearest.position.distanceTo(bot.entity.position) < 1) return;
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
        const ids = new Set([id]);
        const candidates = () =>
          findNearestBlocks(bot, ids, searchBox(state), 256).filter((p) => !unreachable.has(p.toString()));

        while (dug < count) {
          throwIfAborted(ctx.signal);
          const target = candidates()[0];
          if (!target) break;
          if (eyeDistance(bot, target) > REACH) {
            if (lastDug) await pickUpDrops(bot, lastDug, ctx.signal);
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
          lastDug = target;
        }
        if (lastDug) await pickUpDrops(bot, lastDug, ctx.signal);
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
