/**
 * The parameters a Minecraft task carries (TaskSpec.params): everything the environment needs to
 * build the task's world and judge it. Positions are offsets from the task region's origin, the
 * block the agents start on (so a task can run in any region of the world).
 */
export interface Offset {
  x: number;
  y: number;
  z: number;
}

export interface TreeSpec {
  x: number;
  z: number;
  height: number;
}

export interface BlueprintBlock extends Offset {
  name: string;
}

/** How a task is judged. */
export type MinecraftObjective =
  /** Some agent holds at least `count` of `item` (a placed crafting table counts for `crafting_table`). */
  | { kind: 'have-item'; item: string; count: number }
  /** The blueprint's cells hold its blocks; scored by edit distance over its bounding box. */
  | { kind: 'blueprint'; blocks: BlueprintBlock[] };

export interface MinecraftTaskParams {
  objective: MinecraftObjective;
  /** Number of agents (1, or 2 for cooperative tasks). */
  agents: 1 | 2;
  /** Starting inventory per agent role (index = order in which agents join). */
  inventories: Record<string, number>[];
  /** Where each role starts, as offsets. */
  starts: Offset[];
  trees: TreeSpec[];
  /** Stone blocks standing on the ground. */
  stone: Offset[];
  /** A crafting table already in the world, or null. */
  craftingTable: Offset | null;
  /** Items whose first appearance in an inventory earns shaped progress, in chain order. */
  milestones: string[];
}

/** The ground surface of the superflat world: agents stand at y = 5 on grass at y = 4. */
export const GROUND_Y = 4;
