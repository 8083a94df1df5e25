/**
 * Task regions: each running task instance owns a square of the superflat world. Resetting a
 * region writes the whole desired state (ground layers, air above, trees, stone, table) and the
 * server changes only the cells that differ, so a reset after a short episode costs little.
 */
import type { BlockPlacement, BlockPos } from '../server/protocol';
import { GROUND_Y, type MinecraftTaskParams, type Offset } from '../tasks/task-params';

/** Half-width of a region's square (blocks). */
export const REGION_RADIUS = 8;
/** Blocks of air kept above the feet level (trees reach 6). */
export const REGION_HEIGHT = 9;
/** Distance between region origins; regions never overlap. */
export const REGION_SPACING = 48;
const FEET_Y = GROUND_Y + 1;

export function regionOrigin(slot: number): BlockPos {
  return { x: slot * REGION_SPACING, y: FEET_Y, z: 0 };
}

export function toWorld(origin: BlockPos, offset: Offset): BlockPos {
  return { x: origin.x + offset.x, y: origin.y + offset.y, z: origin.z + offset.z };
}

/** The box a region's reset and scoring cover (ground layers included). */
export function regionBox(origin: BlockPos): { from: BlockPos; to: BlockPos } {
  return {
    from: { x: origin.x - REGION_RADIUS, y: 1, z: origin.z - REGION_RADIUS },
    to: { x: origin.x + REGION_RADIUS, y: origin.y + REGION_HEIGHT - 1, z: origin.z + REGION_RADIUS },
  };
}

/** Every cell of the region in its initial state for the task. */
export function regionBlocks(params: MinecraftTaskParams, origin: BlockPos): BlockPlacement[] {
  const cells = new Map<string, BlockPlacement>();
  const set = (x: number, y: number, z: number, name: string, properties?: Record<string, string>) => {
    cells.set(`${x},${y},${z}`, properties ? { x, y, z, name, properties } : { x, y, z, name });
  };
  const { from, to } = regionBox(origin);
  for (let y = from.y; y <= to.y; y++) {
    const name = y < GROUND_Y ? 'dirt' : y === GROUND_Y ? 'grass_block' : 'air';
    for (let z = from.z; z <= to.z; z++) for (let x = from.x; x <= to.x; x++) set(x, y, z, name);
  }
  for (const tree of params.trees) {
    const base = toWorld(origin, { x: tree.x, y: 0, z: tree.z });
    const top = base.y + tree.height - 1;
    // Canopy: a 3x3 ring on the two top trunk levels, a plus on top; high enough to walk under.
    for (let y = top - 1; y <= top; y++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (let dz = -1; dz <= 1; dz++)
          set(base.x + dx, y, base.z + dz, 'oak_leaves', { persistent: 'true' });
      }
    }
    for (const [dx, dz] of [
      [0, 0],
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ] as const) {
      set(base.x + dx, top + 1, base.z + dz, 'oak_leaves', { persistent: 'true' });
    }
    for (let y = base.y; y <= top; y++) set(base.x, y, base.z, 'oak_log', { axis: 'y' });
  }
  for (const stone of params.stone) {
    const p = toWorld(origin, stone);
    set(p.x, p.y, p.z, 'stone');
  }
  if (params.craftingTable) {
    const p = toWorld(origin, params.craftingTable);
    set(p.x, p.y, p.z, 'crafting_table');
  }
  // Every cell stays inside the region: the layout keeps things within 6 blocks of the origin.
  return [...cells.values()];
}
