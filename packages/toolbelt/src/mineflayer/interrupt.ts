/**
 * Cancellation for bot actions. The TAL aborts `ctx.signal` on a timeout; the bot must then stop
 * walking, digging and holding keys, or the next action would start while the last one still runs.
 */
import { EnvironmentError } from '../errors/environment-error';
import { ToolCallError } from '../errors/tool-call-error';
import type { Bot } from './deps';

export function stopEverything(bot: Bot): void {
  try {
    bot.pathfinder?.stop();
    bot.pathfinder?.setGoal(null);
  } catch {
    // pathfinder not loaded
  }
  try {
    bot.stopDigging();
  } catch {
    // not digging
  }
  bot.clearControlStates();
}

/** Stops the bot when `signal` aborts, for the duration of `work`. */
export async function interruptible<T>(bot: Bot, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  ensureConnected(bot);
  if (signal.aborted) throw new ToolCallError('timeout', 'the action was cancelled before it started');
  const onAbort = () => stopEverything(bot);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new ToolCallError('timeout', 'the action ran out of time');
}

export function ensureConnected(bot: Bot): void {
  const client = bot._client as unknown as { ended?: boolean; state?: string };
  if (!bot.entity || client.ended || (client.state !== undefined && client.state !== 'play')) {
    throw new EnvironmentError(`bot ${bot.username} is not connected to the server`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
