/**
 * Judging a Minecraft task from the server's state (never from what a bot believes): item
 * objectives from the agents' inventories, blueprints by block edit distance over the
 * blueprint's bounding box (MineCollab's construction score).
 */
import type { EpisodeVerdict } from '@chimera/toolbelt';
import type { BlueprintBlock, MinecraftTaskParams, Offset } from './task-params';

export interface WorldSnapshot {
  /** Server-side inventory of each agent in the task instance. */
  inventories: Record<string, number>[];
  /** Block name at an offset from the region origin (only cells the objective needs are asked for). */
  blockAt(offset: Offset): string;
  /** Crafting tables standing in the region beyond the one the task placed. */
  placedCraftingTables: number;
}

export interface BlueprintBox {
  from: Offset;
  to: Offset;
}

export function blueprintBox(blocks: readonly BlueprintBlock[]): BlueprintBox {
  const xs = blocks.map((b) => b.x);
  const ys = blocks.map((b) => b.y);
  const zs = blocks.map((b) => b.z);
  return {
    from: { x: Math.min(...xs), y: Math.min(...ys), z: Math.min(...zs) },
    to: { x: Math.max(...xs), y: Math.max(...ys), z: Math.max(...zs) },
  };
}

/** Cells that differ from the blueprint (blueprint cells, plus non-air in the box's other cells). */
export function blueprintEditDistance(
  blocks: readonly BlueprintBlock[],
  blockAt: (o: Offset) => string,
): number {
  const wanted = new Map(blocks.map((b) => [`${b.x},${b.y},${b.z}`, b.name]));
  const { from, to } = blueprintBox(blocks);
  let distance = 0;
  for (let y = from.y; y <= to.y; y++) {
    for (let z = from.z; z <= to.z; z++) {
      for (let x = from.x; x <= to.x; x++) {
        const expected = wanted.get(`${x},${y},${z}`) ?? 'air';
        if (blockAt({ x, y, z }) !== expected) distance++;
      }
    }
  }
  return distance;
}

function heldCount(snapshot: WorldSnapshot, item: string): number {
  // A cooperative task is judged jointly: the best-stocked agent counts.
  let best = 0;
  for (const inventory of snapshot.inventories) best = Math.max(best, inventory[item] ?? 0);
  if (item === 'crafting_table') best += snapshot.placedCraftingTables;
  return best;
}

export function judge(params: MinecraftTaskParams, snapshot: WorldSnapshot): EpisodeVerdict {
  const objective = params.objective;
  if (objective.kind === 'have-item') {
    const have = heldCount(snapshot, objective.item);
    return {
      success: have >= objective.count,
      score: Math.min(1, have / objective.count),
      detail: `${objective.item}: ${have}/${objective.count}`,
    };
  }
  const distance = blueprintEditDistance(objective.blocks, snapshot.blockAt);
  const score = Math.max(0, 1 - distance / objective.blocks.length);
  return {
    success: distance === 0,
    score,
    detail: `blueprint edit distance ${distance} over ${objective.blocks.length} blocks`,
  };
}

/**
 * Shaped progress in [0, 1]: for item objectives, the share of milestone items (the recipe chain)
 * seen so far in any inventory; for blueprints, the verdict's score.
 */
export function progress(params: MinecraftTaskParams, snapshot: WorldSnapshot, reached: Set<string>): number {
  if (params.objective.kind === 'blueprint') return judge(params, snapshot).score;
  for (const item of params.milestones) {
    if (snapshot.inventories.some((inv) => (inv[item] ?? 0) > 0)) reached.add(item);
    if (item === 'crafting_table' && snapshot.placedCraftingTables > 0) reached.add(item);
  }
  return params.milestones.length === 0 ? 0 : reached.size / params.milestones.length;
}
