/**
 * Test-only policies over `session.candidates()`: a scripted one that knows the recipe chain
 * (what a learner has to discover), and a uniform random one. Both only pick among candidates.
 */
import type { CandidateAction, Observation, TaskSpec } from '@chimera/toolbelt';
import type { MinecraftObservationData, MinecraftTaskParams } from '@chimera/worlds/minecraft';

type Inventory = Record<string, number>;

function tableNearby(data: MinecraftObservationData): boolean {
  return (
    data.nearbyBlocks.some((b) => b.name === 'crafting_table') || (data.inventory.crafting_table ?? 0) > 0
  );
}

/** Planks a target still needs (from the current inventory and whether a table stands nearby). */
function planksNeeded(item: string, count: number, inv: Inventory, table: boolean): number {
  const have = (name: string) => inv[name] ?? 0;
  const lack = Math.max(0, count - have(item));
  if (lack === 0) return 0;
  switch (item) {
    case 'oak_planks':
      return lack;
    case 'stick':
      return 2 * Math.ceil(lack / 4);
    case 'crafting_table':
      return 4 * lack;
    case 'wooden_pickaxe':
      return 3 + (table ? 0 : 4) + planksNeeded('stick', 2, inv, table);
    default:
      return 0;
  }
}

/** The next step towards `count` of `item`, as a candidate text (null when already there). */
function nextStep(
  item: string,
  count: number,
  inv: Inventory,
  data: MinecraftObservationData,
): string | null {
  const have = (name: string) => inv[name] ?? 0;
  if (have(item) >= count) return null;
  const table = tableNearby(data);
  // Gather every log the whole chain needs first: one walk to the trees.
  const logsShort =
    Math.ceil(Math.max(0, planksNeeded(item, count, inv, table) - have('oak_planks')) / 4) - have('oak_log');
  if (item !== 'oak_log' && item !== 'cobblestone' && logsShort > 0)
    return nextStep('oak_log', have('oak_log') + logsShort, inv, data);
  switch (item) {
    case 'oak_log':
      return count - have('oak_log') >= 2 ? 'collect oak_log 3' : 'collect oak_log 1';
    case 'oak_planks':
      return have('oak_log') >= 2 && count - have('oak_planks') > 4
        ? 'craft oak_planks x2'
        : 'craft oak_planks x1';
    case 'stick':
      return have('oak_planks') >= 2 ? 'craft stick x1' : nextStep('oak_planks', 2, inv, data);
    case 'crafting_table':
      return have('oak_planks') >= 4 ? 'craft crafting_table x1' : nextStep('oak_planks', 4, inv, data);
    case 'wooden_pickaxe':
      if (!table) return nextStep('crafting_table', 1, inv, data);
      if (have('stick') < 2) return nextStep('stick', 2, inv, data);
      if (have('oak_planks') < 3) return nextStep('oak_planks', 3, inv, data);
      return 'craft wooden_pickaxe x1';
    case 'cobblestone':
      if (have('wooden_pickaxe') < 1) return nextStep('wooden_pickaxe', 1, inv, data);
      return count - have('cobblestone') >= 2 ? 'collect stone 3' : 'collect stone 1';
    default:
      throw new Error(`the scripted policy has no plan for ${item}`);
  }
}

export function scriptedChoice(
  task: TaskSpec,
  observation: Observation,
  candidates: CandidateAction[],
): CandidateAction {
  const data = observation.data as unknown as MinecraftObservationData;
  const params = task.params as unknown as MinecraftTaskParams;
  const byText = (text: string | null) => (text ? candidates.find((c) => c.text === text) : undefined);
  let choice: CandidateAction | undefined;
  if (params.objective.kind === 'blueprint') {
    // Candidates list unbuilt cells in blueprint order (bases before what stands on them).
    choice = candidates.find((c) => c.text.startsWith('place '));
  } else if (params.agents === 2 && data.role === 1) {
    // The helper hands everything to the crafter.
    choice = candidates.find((c) => c.text.startsWith('give '));
  } else {
    choice = byText(nextStep(params.objective.item, params.objective.count, data.inventory, data));
  }
  if (!choice) throw new Error(`no scripted candidate for ${task.id} in:\n${observation.text}`);
  return choice;
}

/** Uniform over the candidates, from a seeded generator (reproducible runs). */
export function randomPolicy(seed: number): (candidates: CandidateAction[]) => CandidateAction {
  let state = seed >>> 0;
  return (candidates) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    // High bits: an LCG's low bits cycle quickly.
    return candidates[(state >>> 16) % candidates.length]!;
  };
}
