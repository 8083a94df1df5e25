/**
 * The per-bot state the tools and the observer share: the bot, short entity ids, the chat the bot
 * has heard, and the report of its last action. One state per bot (created by
 * `createMineflayerAdapter`).
 */
import type { EntityRegistry } from '../entities/entity-registry';
import { ToolCallError } from '../errors/tool-call-error';
import {
  type ActionReport,
  blockPosition,
  diffCounts,
  inventoryCounts,
  recordBlockChanges,
} from './action-report';
import type { ScanBox } from './block-scan';
import type { Bot } from './deps';
import { interruptible } from './interrupt';

export interface ChatEntry {
  from: string;
  message: string;
  at: number;
}

export interface MineflayerAgentState {
  readonly bot: Bot;
  readonly entities: EntityRegistry;
  /** EntityRegistry scope of this bot's ids. */
  readonly scope: string;
  /** Chat heard from other players, oldest first (bounded). */
  readonly chat: ChatEntry[];
  lastReport: ActionReport | null;
  /** How far searches for blocks reach (blocks, horizontally). */
  readonly searchRadius: number;
}

/** The box block searches cover: the search radius around the bot, 4 below and 8 above its feet. */
export function searchBox(state: MineflayerAgentState): ScanBox {
  return { radius: state.searchRadius, down: 4, up: 8 };
}

/**
 * Runs an action with cancellation, and measures what it did. A failure is recorded too (the
 * observation shows it) and rethrown for the TAL to turn into a structured error.
 */
export async function runAction(
  state: MineflayerAgentState,
  action: string,
  signal: AbortSignal,
  work: () => Promise<string>,
): Promise<ActionReport> {
  const { bot } = state;
  const started = performance.now();
  const before = inventoryCounts(bot);
  const recorder = recordBlockChanges(bot);
  let summary: string;
  try {
    summary = await interruptible(bot, signal, work);
  } catch (err) {
    const changes = recorder.stop();
    const message = err instanceof Error ? err.message : String(err);
    state.lastReport = {
      action,
      summary: `failed: ${message}`,
      ...diffCounts(before, bot.entity ? inventoryCounts(bot) : before),
      blocksChanged: changes,
      position: bot.entity ? blockPosition(bot) : [0, 0, 0],
      durationMs: Math.round(performance.now() - started),
    };
    if (ToolCallError.isInstance(err)) throw err;
    throw new ToolCallError('handler_error', message, { cause: err });
  }
  const report: ActionReport = {
    action,
    summary,
    ...diffCounts(before, inventoryCounts(bot)),
    blocksChanged: recorder.stop(),
    position: blockPosition(bot),
    durationMs: Math.round(performance.now() - started),
  };
  state.lastReport = report;
  return report;
}
