/**
 * Walking with mineflayer-pathfinder, with cancellation and model-readable failures.
 */
import { ToolCallError } from '../errors/tool-call-error';
import type { Bot, goals } from './deps';
import { throwIfAborted } from './interrupt';

type Goal = InstanceType<typeof goals.Goal>;

export async function walkTo(bot: Bot, goal: Goal, signal: AbortSignal, what: string): Promise<void> {
  throwIfAborted(signal);
  if (goal.isEnd(bot.entity.position.floored() as never)) return;
  try {
    await bot.pathfinder.goto(goal);
  } catch (err) {
    throwIfAborted(signal);
    const reason = err instanceof Error ? err.message : String(err);
    throw new ToolCallError('handler_error', `could not reach ${what}: ${reason}`);
  }
}
