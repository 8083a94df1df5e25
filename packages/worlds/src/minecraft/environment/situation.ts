/**
 * The situation key of a Minecraft observation (`data.situation`), for episodic memory: the
 * inventory (item and count) and which block types are within reach. Positions, time, health and
 * block counts are left out, so two tasks of a family that start from the same materials share a
 * situation, and crafting or collecting something makes a new one.
 */
import type { BotObservation } from '@chimera/toolbelt/mineflayer';

/** Blocks closer than this (in blocks) count as within reach. */
const REACH = 8;

export function minecraftSituation(obs: Pick<BotObservation, 'inventory' | 'nearbyBlocks'>): string {
  const inventory = Object.entries(obs.inventory)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name}=${n}`);
  const near = obs.nearbyBlocks
    .filter((b) => b.distance <= REACH)
    .map((b) => b.name)
    .sort();
  return `inv:${inventory.join(',')}|near:${[...new Set(near)].join(',')}`;
}
