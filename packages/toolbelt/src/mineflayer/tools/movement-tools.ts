/** go_to_position, go_to_player, go_to_block (MINDcraft: goToCoordinates, goToPlayer, searchForBlock). */
import { z } from 'zod';
import { defineTool } from '../../define-tool';
import { ToolCallError } from '../../errors/tool-call-error';
import { type MineflayerAgentState, runAction, searchBox } from '../agent-state';
import { findNearestBlocks } from '../block-scan';
import { goals } from '../deps';
import { walkTo } from '../movement';
import { resolveBlockName } from '../names';
import { actionReportSchema, TAGS } from './report-schema';

export function goToPositionTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'go_to_position',
    description: 'Walk to block coordinates (x, y, z), stopping within `range` blocks.',
    environmentTags: TAGS,
    timeoutMs: 20_000,
    input: z.object({
      x: z.number().int(),
      y: z.number().int(),
      z: z.number().int(),
      range: z.number().min(0).max(16).default(1),
    }),
    output: actionReportSchema,
    handler: ({ x, y, z: zz, range }, ctx) =>
      runAction(state, `go_to ${x},${y},${zz}`, ctx.signal, async () => {
        await walkTo(state.bot, new goals.GoalNear(x, y, zz, range), ctx.signal, `${x},${y},${zz}`);
        return `arrived near ${x},${y},${zz}`;
      }),
  });
}

export function goToPlayerTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'go_to_player',
    description: 'Walk to another player, stopping `distance` blocks away.',
    environmentTags: TAGS,
    timeoutMs: 20_000,
    input: z.object({ player: z.string().min(1), distance: z.number().min(1).max(16).default(2) }),
    output: actionReportSchema,
    handler: ({ player, distance }, ctx) =>
      runAction(state, `go_to_player ${player}`, ctx.signal, async () => {
        const target = state.bot.players[player]?.entity;
        if (!target) {
          const visible = Object.values(state.bot.players)
            .filter((p) => p.entity && p.username !== state.bot.username)
            .map((p) => p.username);
          throw new ToolCallError('invalid_arguments', `player "${player}" is not in sight`, {
            details: { visiblePlayers: visible },
          });
        }
        const p = target.position;
        await walkTo(state.bot, new goals.GoalNear(p.x, p.y, p.z, distance), ctx.signal, player);
        return `arrived near ${player}`;
      }),
  });
}

export function goToBlockTool(state: MineflayerAgentState) {
  return defineTool({
    name: 'go_to_block',
    description:
      'Walk to the nearest block of a type (e.g. crafting_table, oak_log), stopping `range` blocks away.',
    environmentTags: TAGS,
    timeoutMs: 20_000,
    input: z.object({ block: z.string().min(1), range: z.number().min(1).max(8).default(2) }),
    output: actionReportSchema,
    handler: ({ block, range }, ctx) =>
      runAction(state, `go_to_block ${block}`, ctx.signal, async () => {
        const { id, name } = resolveBlockName(state.bot, block);
        const p = findNearestBlocks(state.bot, new Set([id]), searchBox(state), 1)[0];
        if (!p) {
          throw new ToolCallError('handler_error', `no ${name} within ${state.searchRadius} blocks`);
        }
        await walkTo(
          state.bot,
          new goals.GoalNear(p.x, p.y, p.z, range),
          ctx.signal,
          `${name} at ${p.x},${p.y},${p.z}`,
        );
        return `arrived near ${name} at ${p.x},${p.y},${p.z}`;
      }),
  });
}
