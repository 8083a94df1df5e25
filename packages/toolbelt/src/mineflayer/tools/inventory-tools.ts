/** equip, drop_item and give_item (MINDcraft: equip, discard, givePlayer). */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction } from '../agent-state';
import { type Bot, goals } from '../deps';
import { sleep } from '../interrupt';
import { walkTo } from '../movement';
import { resolveItemName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

function haveCount(bot: Bot, id: number): number {
  return bot.inventory.items().reduce((n, i) => (i.type === id ? n + i.count : n), 0);
}

function requireItems(bot: Bot, id: number, name: string, count: number): void {
  const have = haveCount(bot, id);
  if (have < count) {
    throw new ToolCallError('handler_error', `only ${have} ${name} in the inventory, ${count} needed`, {
      details: { have },
    });
  }
}

export function equipTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'equip',
    description: 'Hold an item from the inventory (or wear it: head, torso, legs, feet, off-hand).',
    environmentTags: TAGS,
    timeoutMs: 5_000,
    input: z.object({
      item: z.string().min(1),
      destination: z.enum(['hand', 'head', 'torso', 'legs', 'feet', 'off-hand']).default('hand'),
    }),
    output: actionReportSchema,
    handler: ({ item, destination }, ctx) => {
      const { id, name } = resolveItemName(state.bot, item);
      return runAction(state, `equip ${name}`, ctx.signal, async () => {
        requireItems(state.bot, id, name, 1);
        await state.bot.equip(id, destination);
        return `now holding ${name}${destination === 'hand' ? '' : ` on ${destination}`}`;
      });
    },
  });
}

export function dropItemTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'drop_item',
    description: 'Throw `count` of an item on the ground in front of the bot.',
    environmentTags: TAGS,
    timeoutMs: 10_000,
    input: z.object({ item: z.string().min(1), count: z.number().int().min(1).max(2304).default(1) }),
    output: actionReportSchema,
    handler: ({ item, count }, ctx) => {
      const { id, name } = resolveItemName(state.bot, item);
      return runAction(state, `drop ${name} ${count}`, ctx.signal, async () => {
        requireItems(state.bot, id, name, count);
        await state.bot.toss(id, null, count);
        return `dropped ${count} ${name}`;
      });
    },
  });
}

export function giveItemTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'give_item',
    description:
      'Walk to another player and throw them `count` of an item; reports whether they picked it up.',
    environmentTags: TAGS,
    timeoutMs: 25_000,
    input: z.object({
      player: z.string().min(1),
      item: z.string().min(1),
      count: z.number().int().min(1).max(2304).default(1),
    }),
    output: actionReportSchema,
    handler: ({ player, item, count }, ctx) => {
      const { bot } = state;
      const { id, name } = resolveItemName(bot, item);
      return runAction(state, `give ${player} ${name} ${count}`, ctx.signal, async () => {
        requireItems(bot, id, name, count);
        const target = () => bot.players[player]?.entity;
        if (!target()) throw new ToolCallError('invalid_arguments', `player "${player}" is not in sight`);
        // Whole blocks (theirs and ours): whether to walk, where to, and where to aim then depend on
        // which blocks the two stand in, not on where inside them their last walks stopped.
        const p = target()!.position.floored();
        if (bot.entity.position.floored().distanceTo(p) > 2) {
          await walkTo(bot, new goals.GoalNear(p.x, p.y, p.z, 2), ctx.signal, player);
        }
        const receiver = target();
        if (!receiver) throw new ToolCallError('handler_error', `${player} left before the hand-over`);
        let collected = 0;
        const onCollect = (collector: { id: number }) => {
          if (collector.id === receiver.id) collected++;
        };
        bot.on('playerCollect', onCollect);
        try {
          // Aim low: the toss arcs up and lands about a block and a half ahead.
          await bot.lookAt(receiver.position.floored().offset(0.5, 0.2, 0.5), true);
          // The look goes out with the next physics tick; the toss must not overtake it.
          await sleep(120, ctx.signal);
          await bot.toss(id, null, count);
          const deadline = performance.now() + 3000;
          while (performance.now() < deadline && !ctx.signal.aborted) {
            const before = collected;
            await sleep(400, ctx.signal);
            if (collected > 0 && collected === before) break;
          }
        } finally {
          bot.removeListener('playerCollect', onCollect);
        }
        return collected > 0
          ? `gave ${count} ${name} to ${player}`
          : `threw ${count} ${name} toward ${player}, who has not picked it up yet`;
      });
    },
  });
}
