/**
 * The Minecraft task families of the curriculum. Each family builds, from a difficulty and a
 * seeded random source, the goal sentence and the parameters of one task (world layout, starting
 * inventories, objective). Families whose solution needs knowledge absent from the goal (recipe
 * chains: planks come from logs, a pickaxe needs sticks and a crafting table, stone needs a
 * pickaxe) are marked `needsExperience`.
 */
import type { TaskFamilyInfo } from '@chimera/toolbelt';
import { randomInt } from './seeded-random';
import type { BlueprintBlock, MinecraftTaskParams, Offset, TreeSpec } from './task-params';

export interface FamilyTask {
  goal: string;
  params: MinecraftTaskParams;
  maxSteps: number;
}

export interface FamilyDefinition {
  info: TaskFamilyInfo;
  build(difficulty: number, random: () => number): FamilyTask;
}

const ORIGIN: Offset = { x: 0, y: 0, z: 0 };
const PARTNER_START: Offset = { x: 3, y: 0, z: 0 };
const WOOD_CHAIN = ['oak_log', 'oak_planks', 'stick', 'crafting_table', 'wooden_pickaxe'];

/** Spots for trees, stone and tables: 3 to 6 blocks from the start, never on a start position. */
function layoutSpots(random: () => number, count: number, taken: Offset[] = []): Offset[] {
  const spots: Offset[] = [];
  const busy = [...taken, ORIGIN, PARTNER_START];
  let guard = 0;
  while (spots.length < count && guard++ < 500) {
    const angle = random() * Math.PI * 2;
    const distance = 3 + random() * 3;
    const spot = {
      x: Math.round(Math.cos(angle) * distance),
      y: 0,
      z: Math.round(Math.sin(angle) * distance),
    };
    // Keep two blocks of air between things so paths and canopies do not merge.
    if (busy.some((b) => Math.abs(b.x - spot.x) <= 2 && Math.abs(b.z - spot.z) <= 2)) continue;
    spots.push(spot);
    busy.push(spot);
  }
  if (spots.length < count) throw new Error(`could not lay out ${count} spots`);
  return spots;
}

function trees(random: () => number, count: number, taken: Offset[] = []): TreeSpec[] {
  return layoutSpots(random, count, taken).map((s) => ({ x: s.x, z: s.z, height: randomInt(random, 4, 5) }));
}

function baseParams(
  partial: Partial<MinecraftTaskParams> & Pick<MinecraftTaskParams, 'objective'>,
): MinecraftTaskParams {
  return {
    agents: 1,
    inventories: [{}],
    starts: [ORIGIN],
    trees: [],
    stone: [],
    craftingTable: null,
    milestones: [],
    ...partial,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The starting kit by difficulty for the wooden chain: harder levels start further back in the chain. */
function chainFamily(
  family: string,
  description: string,
  target: string,
  count: (d: number) => number,
  goal: (n: number) => string,
  kits: Record<string, number>[],
  milestones: string[],
): FamilyDefinition {
  return {
    info: {
      environment: 'minecraft',
      family,
      description,
      difficulties: kits.map((_, d) => d),
      needsExperience: true,
      skills: ['minecraft', 'crafting', 'recipes'],
    },
    build(difficulty, random) {
      const kit = kits[difficulty] ?? {};
      const n = count(difficulty);
      const startsEmpty = Object.keys(kit).length === 0;
      return {
        goal: goal(n),
        maxSteps: 6 + 3 * difficulty,
        params: baseParams({
          objective: { kind: 'have-item', item: target, count: n },
          inventories: [kit],
          // Trees always stand around (a distraction when the kit suffices, the source otherwise).
          trees: trees(random, startsEmpty ? 2 : 1),
          milestones,
        }),
      };
    },
  };
}

const gatherLogs: FamilyDefinition = {
  info: {
    environment: 'minecraft',
    family: 'gather-logs',
    description: 'Collect a number of oak logs from the trees around the start.',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['minecraft', 'gathering'],
  },
  build(difficulty, random) {
    const count = [1, 3, 5][difficulty] ?? 5;
    return {
      goal: `Collect ${plural(count, 'oak log')}.`,
      maxSteps: 4 + 2 * difficulty,
      params: baseParams({
        objective: { kind: 'have-item', item: 'oak_log', count },
        trees: trees(random, difficulty === 2 ? 2 : 1),
        milestones: ['oak_log'],
      }),
    };
  },
};

const craftPlanks = chainFamily(
  'craft-planks',
  'Craft oak planks (they come from oak logs, which come from trees).',
  'oak_planks',
  () => 8,
  (n) => `Craft ${n} oak planks.`,
  [{ oak_log: 2 }, {}],
  ['oak_log', 'oak_planks'],
);

const craftSticks = chainFamily(
  'craft-sticks',
  'Craft sticks (from planks, from logs).',
  'stick',
  () => 4,
  (n) => `Craft ${plural(n, 'stick')}.`,
  [{ oak_planks: 2 }, { oak_log: 1 }, {}],
  ['oak_log', 'oak_planks', 'stick'],
);

const craftTable = chainFamily(
  'craft-crafting-table',
  'Craft a crafting table (from four planks, from logs).',
  'crafting_table',
  () => 1,
  () => 'Craft a crafting table.',
  [{ oak_planks: 4 }, { oak_log: 1 }, {}],
  ['oak_log', 'oak_planks', 'crafting_table'],
);

const craftPickaxe: FamilyDefinition = {
  info: {
    environment: 'minecraft',
    family: 'craft-wooden-pickaxe',
    description:
      'Craft a wooden pickaxe: planks and sticks at a crafting table, which itself must be crafted at harder levels.',
    difficulties: [0, 1, 2],
    needsExperience: true,
    skills: ['minecraft', 'crafting', 'recipes'],
  },
  build(difficulty, random) {
    const kits: Record<string, number>[] = [{ oak_planks: 3, stick: 2 }, { oak_log: 3 }, {}];
    const withTable = difficulty === 0;
    const treeSpots = trees(random, difficulty === 2 ? 2 : 1);
    const table = withTable
      ? (layoutSpots(
          random,
          1,
          treeSpots.map((t) => ({ ...t, y: 0 })),
        )[0] ?? null)
      : null;
    return {
      goal: 'Craft a wooden pickaxe.',
      maxSteps: 6 + 3 * difficulty,
      params: baseParams({
        objective: { kind: 'have-item', item: 'wooden_pickaxe', count: 1 },
        inventories: [kits[difficulty] ?? {}],
        trees: treeSpots,
        craftingTable: table,
        milestones: WOOD_CHAIN,
      }),
    };
  },
};

const mineStone: FamilyDefinition = {
  info: {
    environment: 'minecraft',
    family: 'mine-stone',
    description: 'Mine stone and keep the cobblestone: stone drops nothing without a pickaxe.',
    difficulties: [0, 1, 2],
    needsExperience: true,
    skills: ['minecraft', 'mining', 'recipes'],
  },
  build(difficulty, random) {
    const count = difficulty + 1;
    const kits: Record<string, number>[] = [
      { wooden_pickaxe: 1 },
      { oak_planks: 3, stick: 2 },
      { oak_log: 3 },
    ];
    const [stoneSpot, tableSpot] = layoutSpots(random, 2);
    const stone: Offset[] = [];
    for (let i = 0; i < count + 2; i++)
      stone.push({ x: stoneSpot!.x + (i % 2), y: 0, z: stoneSpot!.z + Math.floor(i / 2) });
    return {
      goal: `Mine ${plural(count, 'cobblestone')}.`,
      maxSteps: 5 + 3 * difficulty,
      params: baseParams({
        objective: { kind: 'have-item', item: 'cobblestone', count },
        inventories: [kits[difficulty] ?? {}],
        stone,
        trees: difficulty === 2 ? [] : trees(random, 1, [stoneSpot!, tableSpot!]),
        craftingTable: difficulty === 1 ? tableSpot! : null,
        milestones: ['oak_planks', 'stick', 'crafting_table', 'wooden_pickaxe', 'cobblestone'],
      }),
    };
  },
};

const BLUEPRINTS: ((random: () => number) => BlueprintBlock[])[] = [
  // A row of three planks.
  (random) => {
    const z = random() < 0.5 ? 2 : -2;
    return [-1, 0, 1].map((x) => ({ x, y: 0, z, name: 'oak_planks' }));
  },
  // An L of five cobblestone.
  (random) => {
    const sign = random() < 0.5 ? 1 : -1;
    return [
      { x: -1, y: 0, z: 2 * sign },
      { x: 0, y: 0, z: 2 * sign },
      { x: 1, y: 0, z: 2 * sign },
      { x: 1, y: 0, z: 3 * sign },
      { x: 1, y: 0, z: 4 * sign },
    ].map((p) => ({ ...p, name: 'cobblestone' }));
  },
  // A two-high wall of planks with a cobblestone base.
  (random) => {
    const z = random() < 0.5 ? 2 : -2;
    return [-1, 0, 1, 2].flatMap((x) => [
      { x, y: 0, z, name: 'cobblestone' },
      { x, y: 1, z, name: 'oak_planks' },
    ]);
  },
];

const buildStructure: FamilyDefinition = {
  info: {
    environment: 'minecraft',
    family: 'build-structure',
    description: 'Place blocks from the inventory to match a blueprint (scored by block edit distance).',
    difficulties: [0, 1, 2],
    needsExperience: false,
    skills: ['minecraft', 'building', 'spatial'],
  },
  build(difficulty, random) {
    const blocks = BLUEPRINTS[difficulty]!(random);
    const inventory: Record<string, number> = {};
    for (const b of blocks) inventory[b.name] = (inventory[b.name] ?? 0) + 1;
    const list = blocks.map((b) => `${b.name} at ${b.x},${b.y},${b.z}`).join('; ');
    return {
      goal: `Build this structure with the blocks you carry (offsets x,y,z from your start; y 0 is your feet level): ${list}.`,
      maxSteps: blocks.length + 3,
      params: baseParams({ objective: { kind: 'blueprint', blocks }, inventories: [inventory] }),
    };
  },
};

const coopCraft: FamilyDefinition = {
  info: {
    environment: 'minecraft',
    family: 'coop-craft',
    description:
      'Two agents with split inventories craft one item together: each holds what the other needs (hand-overs, chat).',
    difficulties: [0, 1, 2],
    needsExperience: true,
    skills: ['minecraft', 'crafting', 'cooperation'],
  },
  build(difficulty, random) {
    const setups: {
      target: string;
      kits: [Record<string, number>, Record<string, number>];
      table: boolean;
    }[] = [
      { target: 'crafting_table', kits: [{ oak_planks: 2 }, { oak_planks: 2 }], table: false },
      { target: 'wooden_pickaxe', kits: [{ oak_planks: 3 }, { stick: 2 }], table: true },
      { target: 'wooden_pickaxe', kits: [{ oak_log: 2 }, { oak_log: 1 }], table: false },
    ];
    const setup = setups[difficulty]!;
    const table = setup.table ? (layoutSpots(random, 1)[0] ?? null) : null;
    const name = setup.target.replace(/_/g, ' ');
    return {
      goal: `Together with your partner, craft a ${name}; either of you may hold it.`,
      maxSteps: 6 + 3 * difficulty,
      params: baseParams({
        objective: { kind: 'have-item', item: setup.target, count: 1 },
        agents: 2,
        inventories: setup.kits,
        starts: [ORIGIN, PARTNER_START],
        craftingTable: table,
        milestones: WOOD_CHAIN,
      }),
    };
  },
};

export const MINECRAFT_FAMILIES: readonly FamilyDefinition[] = [
  gatherLogs,
  craftPlanks,
  craftSticks,
  craftTable,
  craftPickaxe,
  mineStone,
  buildStructure,
  coopCraft,
];
