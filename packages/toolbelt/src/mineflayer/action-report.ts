/**
 * What an action did, measured rather than assumed: inventory counts before and after, and every
 * block that changed near the bot while it ran (from the server's block updates).
 */
import type { Bot, Vec3 } from './deps';

export interface BlockChange {
  x: number;
  y: number;
  z: number;
  from: string;
  to: string;
}

export interface ActionReport {
  /** The action as a short command, e.g. `collect oak_log 3`. */
  action: string;
  /** One sentence on the outcome, e.g. `dug 3 oak_log`. */
  summary: string;
  /** Items whose count rose, by name. */
  gained: Record<string, number>;
  /** Items whose count fell, by name. */
  lost: Record<string, number>;
  blocksChanged: BlockChange[];
  /** Where the bot stands afterwards (block coordinates). */
  position: [number, number, number];
  durationMs: number;
}

/** Item counts by name over the whole inventory. */
export function inventoryCounts(bot: Bot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of bot.inventory.items()) counts[item.name] = (counts[item.name] ?? 0) + item.count;
  return counts;
}

export function diffCounts(
  before: Record<string, number>,
  after: Record<string, number>,
): { gained: Record<string, number>; lost: Record<string, number> } {
  const gained: Record<string, number> = {};
  const lost: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta > 0) gained[name] = delta;
    else if (delta < 0) lost[name] = -delta;
  }
  return { gained, lost };
}

/** Records block changes within `radius` of the bot until `stop()`; coalesced per position. */
export function recordBlockChanges(bot: Bot, radius = 16): { stop(): BlockChange[] } {
  const changes = new Map<string, BlockChange>();
  const onUpdate = (
    oldBlock: { name: string; position: Vec3 } | null,
    newBlock: { name: string; position: Vec3 },
  ) => {
    const pos = newBlock.position;
    if (bot.entity && bot.entity.position.distanceTo(pos) > radius) return;
    const key = `${pos.x},${pos.y},${pos.z}`;
    const existing = changes.get(key);
    if (existing) existing.to = newBlock.name;
    else
      changes.set(key, {
        x: pos.x,
        y: pos.y,
        z: pos.z,
        from: oldBlock?.name ?? 'unknown',
        to: newBlock.name,
      });
  };
  bot.on('blockUpdate', onUpdate);
  return {
    stop() {
      bot.removeListener('blockUpdate', onUpdate);
      return [...changes.values()].filter((c) => c.from !== c.to);
    },
  };
}

export function blockPosition(bot: Bot): [number, number, number] {
  const p = bot.entity.position;
  return [Math.floor(p.x), Math.floor(p.y), Math.floor(p.z)];
}
