/**
 * The observation summarizer: a compact, structured view of what a bot perceives (position,
 * health, food, time, inventory counts, block types nearby with counts and nearest positions,
 * entities with short ids, chat heard, the last action's outcome). Never raw chunks or packets.
 */
import type { ActionReport } from './action-report';
import { inventoryCounts } from './action-report';
import type { MineflayerAgentState } from './agent-state';
import { scanBox } from './block-scan';
import type { Vec3 } from './deps';

export interface NearbyBlockType {
  name: string;
  count: number;
  /** Nearest block of this type (block coordinates). */
  nearest: [number, number, number];
  distance: number;
}

export interface NearbyEntity {
  /** Short id (`e3`) stable for the entity's lifetime; tools accept it. */
  id: string;
  kind: string;
  name: string;
  distance: number;
  position: [number, number, number];
}

export interface BotObservation {
  username: string;
  position: [number, number, number];
  health: number;
  food: number;
  /** Time of day in ticks (0-24000, 6000 = noon). */
  time: number;
  held: string | null;
  inventory: Record<string, number>;
  nearbyBlocks: NearbyBlockType[];
  nearbyEntities: NearbyEntity[];
  chat: { from: string; message: string }[];
  lastAction: Pick<ActionReport, 'action' | 'summary' | 'gained' | 'lost'> | null;
}

export interface ObserveOptions {
  /** Horizontal reach of the block scan (default 8). */
  blockRadius?: number;
  /** Blocks below the feet included in the scan (default 1: the ground surface). */
  blockDepth?: number;
  /** Blocks above the feet included in the scan (default 6: tree tops). */
  blockHeight?: number;
  /** Block types listed, nearest first (default 12). */
  maxBlockTypes?: number;
  entityRadius?: number;
  maxEntities?: number;
  /** Chat lines kept in the observation (default 5). */
  chatLines?: number;
  /** Block names never listed (default: the air variants). */
  ignoreBlocks?: readonly string[];
  /**
   * How positions and distances are given: `tenth` (default) to a tenth of a block from where the
   * bot is; `block`: the bot at the block it stands in, entities at theirs, distances between block
   * centers, in whole blocks. Where inside a block a walk ends depends on timing (a loaded machine
   * stops a tick later), so `block` gives the same text for the same outcome, run after run.
   */
  precision?: 'tenth' | 'block';
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function observeBot(state: MineflayerAgentState, options: ObserveOptions = {}): BotObservation {
  const { bot } = state;
  const radius = options.blockRadius ?? 8;
  const depth = options.blockDepth ?? 1;
  const height = options.blockHeight ?? 6;
  const ignore = new Set(options.ignoreBlocks ?? ['air', 'cave_air', 'void_air']);
  const blockPrecision = options.precision === 'block';
  // In block precision a position stands for the center of its block, at its feet: distances are
  // measured between such centers and positions are given as the block's coordinates.
  const place = (p: Vec3): Vec3 => (blockPrecision ? p.floored().offset(0.5, 0, 0.5) : p);
  const coords = (p: Vec3): [number, number, number] =>
    blockPrecision
      ? [Math.floor(p.x), Math.floor(p.y), Math.floor(p.z)]
      : [round1(p.x), round1(p.y), round1(p.z)];
  const roundDistance = blockPrecision ? Math.round : round1;
  const pos = place(bot.entity.position);
  const byState = bot.registry.blocksByStateId as Record<number, { name: string } | undefined>;

  const blocks = new Map<string, NearbyBlockType>();
  scanBox(bot, { radius, down: depth, up: height }, (stateId, x, y, z) => {
    const name = byState[stateId]?.name;
    if (!name || ignore.has(name)) return;
    const dx = x + 0.5 - pos.x;
    const dy = y + 0.5 - pos.y;
    const dz = z + 0.5 - pos.z;
    const distance = roundDistance(Math.sqrt(dx * dx + dy * dy + dz * dz));
    const entry = blocks.get(name);
    if (!entry) blocks.set(name, { name, count: 1, nearest: [x, y, z], distance });
    else {
      entry.count++;
      if (distance < entry.distance) {
        entry.distance = distance;
        entry.nearest = [x, y, z];
      }
    }
  });
  const nearbyBlocks = [...blocks.values()]
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, options.maxBlockTypes ?? 12);

  const entityRadius = options.entityRadius ?? 16;
  const nearbyEntities: NearbyEntity[] = [];
  for (const entity of Object.values(bot.entities)) {
    if (entity === bot.entity || !entity.position) continue;
    // Entities a client only heard of through an odd packet have no type: nothing to act on.
    if (entity.type !== 'player' && !entity.name) continue;
    const at = place(entity.position);
    const distance = at.distanceTo(pos);
    if (distance > entityRadius) continue;
    nearbyEntities.push({
      id: state.entities.assign(state.scope, `entity:${entity.id}`, entity.id),
      kind: entityKind(entity),
      name: entityName(entity),
      distance: roundDistance(distance),
      position: coords(at),
    });
  }
  nearbyEntities.sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id));

  const report = state.lastReport;
  return {
    username: bot.username,
    position: coords(pos),
    health: Math.round(bot.health ?? 0),
    food: Math.round(bot.food ?? 0),
    time: bot.time?.timeOfDay ?? 0,
    held: bot.heldItem?.name ?? null,
    inventory: inventoryCounts(bot),
    nearbyBlocks,
    nearbyEntities: nearbyEntities.slice(0, options.maxEntities ?? 10),
    chat: state.chat.slice(-(options.chatLines ?? 5)).map(({ from, message }) => ({ from, message })),
    lastAction: report && {
      action: report.action,
      summary: report.summary,
      gained: report.gained,
      lost: report.lost,
    },
  };
}

type BotEntity = MineflayerAgentState['bot']['entity'];

function entityKind(entity: BotEntity): string {
  if (entity.type === 'player') return 'player';
  if (entity.name === 'item') return 'item';
  return entity.type ?? 'other';
}

function entityName(entity: BotEntity): string {
  if (entity.type === 'player') return entity.username ?? 'player';
  if (entity.name === 'item') {
    const dropped = (
      entity as BotEntity & { getDroppedItem?: () => { name: string } | null }
    ).getDroppedItem?.();
    return dropped ? `item:${dropped.name}` : 'item';
  }
  return entity.name ?? 'unknown';
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');

/** A few short lines for a model; the structured observation stays available as data. */
export function renderObservation(obs: BotObservation): string {
  const lines = [
    `${obs.username} at ${obs.position.join(',')} hp ${obs.health} food ${obs.food} time ${obs.time}` +
      (obs.held ? ` holding ${obs.held}` : ''),
    `inventory: ${counts(obs.inventory) || 'empty'}`,
    `blocks: ${obs.nearbyBlocks.map((b) => `${b.name} ${b.count} @${b.nearest.join(',')}`).join('; ') || 'none'}`,
  ];
  if (obs.nearbyEntities.length > 0) {
    lines.push(`entities: ${obs.nearbyEntities.map((e) => `${e.id} ${e.name} ${e.distance}m`).join('; ')}`);
  }
  if (obs.chat.length > 0) lines.push(`chat: ${obs.chat.map((c) => `${c.from}: ${c.message}`).join(' | ')}`);
  if (obs.lastAction) {
    const delta = [
      ...Object.entries(obs.lastAction.gained).map(([n, c]) => `+${c} ${n}`),
      ...Object.entries(obs.lastAction.lost).map(([n, c]) => `-${c} ${n}`),
    ].join(' ');
    lines.push(`last: ${obs.lastAction.action} -> ${obs.lastAction.summary}${delta ? ` (${delta})` : ''}`);
  }
  return lines.join('\n');
}
