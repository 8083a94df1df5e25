/**
 * Walking with mineflayer-pathfinder, with cancellation and model-readable failures.
 *
 * A walk ends in the block the pathfinder planned to end in. The pathfinder stops once the bot is
 * within 0.35 of the last node's center, and the bot's momentum can then carry it a little further:
 * past the block's edge on one run and not on another, depending on which physics tick the check
 * fell on. `walkTo` waits for the bot to stand still and, if it drifted out of the planned block,
 * steps back into it, so where a walk ends depends on the world and the goal, not on timing.
 */
import { ToolCallError } from '../errors/tool-call-error';
import { type Bot, goals, type Vec3, vec3 } from './deps';
import { sleep, throwIfAborted } from './interrupt';

type Goal = InstanceType<typeof goals.Goal>;

interface PathUpdate {
  path: { x: number; y: number; z: number }[];
}

/** Horizontal speed (blocks per tick) below which the bot counts as standing still. */
const STILL = 0.003;
/** How long to wait for the bot to stop before judging where it stands. */
const SETTLE_MS = 600;

export async function walkTo(bot: Bot, goal: Goal, signal: AbortSignal, what: string): Promise<void> {
  throwIfAborted(signal);
  if (goal.isEnd(bot.entity.position.floored() as never)) return;
  let planned: Vec3 | null = null;
  const onPath = (update: PathUpdate) => {
    const last = update.path[update.path.length - 1];
    if (last) planned = vec3(Math.floor(last.x), Math.floor(last.y), Math.floor(last.z));
  };
  bot.on('path_update' as never, onPath as never);
  try {
    await bot.pathfinder.goto(goal);
  } catch (err) {
    throwIfAborted(signal);
    const reason = err instanceof Error ? err.message : String(err);
    throw new ToolCallError('handler_error', `could not reach ${what}: ${reason}`);
  } finally {
    bot.removeListener('path_update' as never, onPath as never);
  }
  if (planned) await settleIn(bot, planned, signal);
}

/** Waits until the bot stands still, then steps back into `block` if it drifted out (twice at most). */
async function settleIn(bot: Bot, block: Vec3, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    await standStill(bot, signal);
    if (signal.aborted || bot.entity.position.floored().equals(block)) return;
    try {
      await bot.pathfinder.goto(new goals.GoalBlock(block.x, block.y, block.z));
    } catch {
      // The planned block is out of reach now (something moved in): stay where the walk ended.
      return;
    }
  }
}

async function standStill(bot: Bot, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + SETTLE_MS;
  for (;;) {
    const v = bot.entity.velocity as Vec3 | undefined;
    if (!v || Math.hypot(v.x, v.z) < STILL || performance.now() > deadline || signal.aborted) return;
    await sleep(50, signal);
  }
}
