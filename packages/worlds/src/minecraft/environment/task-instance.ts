/**
 * One running task: its region of the world, the agents in it (one, or two for cooperative
 * tasks, joined in role order), and the shaped-progress bookkeeping they share. Judged jointly.
 */
import type { EpisodeVerdict, TaskSpec } from '@chimera/toolbelt';
import { MinecraftWorldError } from '../errors';
import type { BlockPos } from '../server/protocol';
import type { MinecraftServer } from '../server/start-server';
import type { MinecraftTaskParams } from '../tasks/task-params';
import { blueprintBox, type WorldSnapshot } from '../tasks/verdict';
import { regionBox, regionOrigin, toWorld } from './region';

export interface InstanceMember {
  agentId: string;
  username: string;
  /** Closes the member's session (used when an agent restarts the same task). */
  close(): Promise<void>;
}

export class TaskInstance {
  readonly params: MinecraftTaskParams;
  readonly origin: BlockPos;
  readonly members: (InstanceMember | null)[];
  /** Milestone items already seen in some inventory. */
  readonly reached = new Set<string>();
  progress = 0;
  /** Set once the task is solved: the verdict is joint, so every member's episode ends with it. */
  solved: EpisodeVerdict | null = null;
  #joined = 0;

  constructor(
    readonly task: TaskSpec,
    readonly slot: number,
    /** Which server process (restart count) the region was built in. */
    readonly generation: number,
  ) {
    this.params = parseParams(task);
    this.origin = regionOrigin(slot);
    this.members = new Array(this.params.agents).fill(null);
  }

  get full(): boolean {
    return this.#joined >= this.params.agents;
  }

  get empty(): boolean {
    return this.members.every((m) => m === null);
  }

  roleOf(agentId: string): number {
    return this.members.findIndex((m) => m?.agentId === agentId);
  }

  join(member: InstanceMember): number {
    if (this.full) {
      throw new MinecraftWorldError(
        `task ${this.task.id} takes ${this.params.agents} agent(s) and has them; start it again after they close`,
      );
    }
    const role = this.#joined++;
    this.members[role] = member;
    return role;
  }

  leave(role: number): void {
    this.members[role] = null;
  }

  partnerOf(role: number): string | null {
    const other = this.members.find((m, i) => i !== role && m !== null);
    return other?.username ?? null;
  }

  /** The server-side state the verdict needs: inventories of present agents and the relevant blocks. */
  async snapshot(server: MinecraftServer): Promise<WorldSnapshot> {
    const inventories = await Promise.all(
      this.members.map((m) => (m ? server.inventory(m.username).catch(() => ({})) : Promise.resolve({}))),
    );
    const cells = new Map<string, string>();
    const objective = this.params.objective;
    let placedCraftingTables = 0;
    if (objective.kind === 'blueprint') {
      const { from, to } = blueprintBox(objective.blocks);
      const names = await server.getBlocks(toWorld(this.origin, from), toWorld(this.origin, to));
      let i = 0;
      for (let y = from.y; y <= to.y; y++) {
        for (let z = from.z; z <= to.z; z++)
          for (let x = from.x; x <= to.x; x++) cells.set(`${x},${y},${z}`, names[i++]!);
      }
    } else if (objective.item === 'crafting_table') {
      const box = regionBox(this.origin);
      const names = await server.getBlocks({ ...box.from, y: this.origin.y }, box.to);
      placedCraftingTables =
        names.filter((n) => n === 'crafting_table').length - (this.params.craftingTable ? 1 : 0);
    }
    return {
      inventories,
      blockAt: (o) => cells.get(`${o.x},${o.y},${o.z}`) ?? 'unknown',
      placedCraftingTables: Math.max(0, placedCraftingTables),
    };
  }
}

/** Task params checked enough to give a clear error for a task from another generator or version. */
export function parseParams(task: TaskSpec): MinecraftTaskParams {
  if (task.environment !== 'minecraft') {
    throw new MinecraftWorldError(
      `task ${task.id} is for the "${task.environment}" environment, not minecraft`,
    );
  }
  const p = task.params as Partial<MinecraftTaskParams>;
  const ok =
    p &&
    typeof p === 'object' &&
    p.objective !== undefined &&
    (p.agents === 1 || p.agents === 2) &&
    Array.isArray(p.inventories) &&
    Array.isArray(p.starts) &&
    p.inventories.length >= p.agents &&
    p.starts.length >= p.agents &&
    Array.isArray(p.trees) &&
    Array.isArray(p.stone) &&
    Array.isArray(p.milestones);
  if (!ok) {
    throw new MinecraftWorldError(
      `task ${task.id} has no valid Minecraft params: generate it with createMinecraftTaskGenerator()`,
    );
  }
  return p as MinecraftTaskParams;
}
