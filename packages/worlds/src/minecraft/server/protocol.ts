/**
 * The message protocol between the host process and the forked server process.
 *
 * The server runs in its own Node process (flying-squid reads stdin, writes prompts to stdout,
 * installs signal hooks and rethrows errors from timers), so the host talks to it only through
 * these plain-JSON messages over the IPC channel.
 */

export interface BlockPos {
  x: number;
  y: number;
  z: number;
}

/** One block to set: a block name from minecraft-data (`oak_log`, `air`), optional state properties. */
export interface BlockPlacement extends BlockPos {
  name: string;
  properties?: Record<string, string>;
}

/** A player as the server sees it (used for rewards: never taken from what a bot believes). */
export interface ServerPlayerState {
  username: string;
  entityId: number;
  position: BlockPos;
  health: number;
  food: number;
  gameMode: number;
}

export interface ServerEntityState {
  id: number;
  kind: 'player' | 'mob' | 'object';
  name: string;
  position: BlockPos;
  health: number | null;
  alive: boolean;
}

/** Options the host passes to the server process (JSON). */
export interface ServerProcessOptions {
  host: string;
  port: number;
  seed: number;
  viewDistance: number;
  spawn: BlockPos;
  /** Apply the project's fixes (false = flying-squid as shipped, for baselines). */
  fixes: boolean;
  /** Haste amplifier given to every player at join (0 = none); speeds up digging for short episodes. */
  hasteLevel: number;
  /** Freeze the time of day at this tick (0-24000); null keeps the daylight cycle. */
  fixedTime: number | null;
  maxPlayers: number;
}

export type ServerRequest =
  | { op: 'setBlocks'; blocks: BlockPlacement[] }
  | { op: 'fill'; from: BlockPos; to: BlockPos; name: string }
  | { op: 'getBlocks'; from: BlockPos; to: BlockPos }
  | { op: 'inventory'; username: string }
  | { op: 'setInventory'; username: string; items: Record<string, number> }
  | { op: 'resetPlayer'; username: string; position: BlockPos; items: Record<string, number> }
  | { op: 'teleport'; username: string; position: BlockPos }
  | { op: 'players' }
  | { op: 'entities'; center: BlockPos; radius: number }
  | { op: 'spawnMob'; name: string; position: BlockPos }
  | { op: 'clearItems'; center: BlockPos; radius: number }
  | { op: 'stop' };

export type RequestResult = {
  setBlocks: number;
  fill: number;
  getBlocks: string[];
  inventory: Record<string, number>;
  setInventory: true;
  resetPlayer: true;
  teleport: true;
  players: ServerPlayerState[];
  entities: ServerEntityState[];
  spawnMob: number;
  clearItems: number;
  stop: true;
};

export interface RequestMessage {
  id: number;
  request: ServerRequest;
}

export type ResponseMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

export type EventMessage =
  | { event: 'ready'; port: number; startMs: number }
  | { event: 'fatal'; message: string }
  | { event: 'stopped' };

export type ChildMessage = ResponseMessage | EventMessage;
