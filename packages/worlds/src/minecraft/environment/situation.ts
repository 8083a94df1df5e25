/**
 * The situation keys of a Minecraft observation, for episodic memory:
 *
 * - `situation`: the inventory (items and counts) and the workstations within reach (a crafting
 *   table changes which recipes work). Positions, time, health and the terrain around are left
 *   out: two tasks that start from the same materials are the same situation wherever their trees
 *   stand, and crafting or collecting something makes a new one.
 * - `situationClass`: the same without the counts (what kinds of things the agent holds), so what
 *   worked with one log is a prior with three.
 */
import type { BotObservation } from '@chimera/toolbelt/mineflayer';

/** Blocks closer than this (in blocks) count as within reach. */
const REACH = 8;
/** Blocks that change what the agent can craft when they are within reach. */
const WORKSTATIONS = new Set(['crafting_table', 'furnace']);

type Observed = Pick<BotObservation, 'inventory' | 'nearbyBlocks'>;

function held(obs: Observed): [string, number][] {
  return Object.entries(obs.inventory)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
}

function stations(obs: Observed): string {
  const near = obs.nearbyBlocks.filter((b) => b.distance <= REACH && WORKSTATIONS.has(b.name));
  return [...new Set(near.map((b) => b.name))].sort().join(',');
}

export function minecraftSituation(obs: Observed): string {
  return `inv:${held(obs)
    .map(([name, n]) => `${name}=${n}`)
    .join(',')}|at:${stations(obs)}`;
}

export function minecraftSituationClass(obs: Observed): string {
  return `inv:${held(obs)
    .map(([name]) => name)
    .join(',')}|at:${stations(obs)}`;
}
