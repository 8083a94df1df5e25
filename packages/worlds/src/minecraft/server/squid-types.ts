/**
 * The parts of flying-squid's (untyped, CommonJS) server, player and entity objects that the
 * project's fixes touch. flying-squid builds these objects by mixing plugins into event emitters,
 * so only the members used here are declared.
 */
import type { EventEmitter } from 'node:events';
import type { Vec3 } from 'vec3';

export interface PrismarineItem {
  type: number;
  count: number;
  metadata: number;
  name: string;
  stackSize: number;
  slot: number;
  nbt: unknown;
}

export interface ItemConstructor {
  new (type: number, count: number, metadata?: number | null, nbt?: unknown): PrismarineItem;
  toNotch(item: PrismarineItem | null | undefined): unknown;
  fromNotch(notch: unknown): PrismarineItem | null;
  equal(a: PrismarineItem | null, b: PrismarineItem | null, matchStackSize?: boolean): boolean;
}

export interface PrismarineWindow extends EventEmitter {
  id: number;
  type: string;
  slots: (PrismarineItem | null)[];
  selectedItem: PrismarineItem | null;
  inventoryStart: number;
  inventoryEnd: number;
  craftingResultSlot: number;
  updateSlot(slot: number, item: PrismarineItem | null): void;
  acceptClick(click: WindowClick): unknown;
  firstEmptyInventorySlot(): number | null;
}

export interface WindowClick {
  windowId: number;
  stateId?: number;
  slot: number;
  mouseButton: number;
  mode: number;
  item?: PrismarineItem | null;
}

export interface SquidClient extends EventEmitter {
  username: string;
  uuid: string;
  latency: number;
  write(name: string, params: Record<string, unknown>): void;
  end(reason?: string): void;
  socket?: { destroy(): void; remoteAddress?: string };
}

export interface SquidWorld {
  getBlock(pos: Vec3): Promise<{ name: string; type: number; stateId: number }>;
  getBlockStateId(pos: Vec3): Promise<number>;
  setBlockStateId(pos: Vec3, stateId: number): Promise<void>;
}

export interface SquidEntity extends EventEmitter {
  id: number;
  type: 'player' | 'mob' | 'object';
  entityType: number | null;
  name?: string;
  uuid: string;
  world: SquidWorld;
  position: Vec3;
  velocity?: Vec3;
  yaw: number;
  pitch: number;
  health?: number;
  itemId?: number;
  itemCount?: number;
  pickupTime?: number;
  deathTime?: number;
  bornTime: number;
  destroy(): void;
  _writeOthersNearby(name: string, params: Record<string, unknown>): void;
  _writeOthers(name: string, params: Record<string, unknown>): void;
  /** Fields the project's fixes add to dropped item entities. */
  chimeraPickupAt?: number;
  chimeraThrower?: number;
  chimeraThrowerBlockedUntil?: number;
}

export interface SquidPlayer extends SquidEntity {
  type: 'player';
  username: string;
  gameMode: number;
  food: number;
  heldItemSlot: number;
  inventory: PrismarineWindow;
  profileProperties: unknown[];
  disconnected?: boolean;
  _client: SquidClient;
  updateHealth(health: number): void;
  updateFood(food: number): void;
  teleport(position: Vec3): Promise<void>;
  sendSelfPosition(position?: Vec3): void;
  kick(reason?: string): void;
  /** Added by the project's fixes: open crafting-table window, window-state counter. */
  chimeraWindow?: { id: number; window: PrismarineWindow } | null;
  chimeraOpenCraftingTable?: () => void;
}

export interface SquidServer extends EventEmitter {
  registry: Registry;
  players: SquidPlayer[];
  entities: Record<number, SquidEntity>;
  overworld: SquidWorld;
  tickCount: number;
  time: number;
  doDaylightCycle: boolean;
  _server: EventEmitter & { close(): void };
  supportFeature(name: string): boolean;
  setBlock(world: SquidWorld, pos: Vec3, stateId: number): Promise<void>;
  setTime(time: number): void;
  getPlayer(username: string): SquidPlayer | null;
  spawnObject(type: number, world: SquidWorld, position: Vec3, options: Record<string, unknown>): SquidEntity;
  spawnMob(type: number, world: SquidWorld, position: Vec3, options?: Record<string, unknown>): SquidEntity;
  onBlockInteraction(
    name: string,
    handler: (data: { block: { position: Vec3; name: string }; player: SquidPlayer }) => unknown,
  ): void;
  getSpawnPoint(world: SquidWorld): Promise<Vec3>;
  stopTickInterval(): void;
  quit(reason?: string): Promise<void>;
  destroy(): Promise<void>;
  _sendPlayerList(player: SquidPlayer): void;
  _createChatComponent(value: unknown): { toNetworkFormat(): unknown };
  waitForReady(timeoutMs: number): Promise<unknown>;
  listeningPort?: number;
}

export interface RegistryBlock {
  id: number;
  name: string;
  minStateId: number;
  defaultState: number;
  harvestTools?: Record<string, boolean>;
  states?: { name: string; type: string; num_values: number; values?: string[] }[];
}

export interface RegistryItem {
  id: number;
  name: string;
  stackSize: number;
}

export type RecipeIngredient = number | null;
export interface RegistryRecipe {
  inShape?: RecipeIngredient[][];
  outShape?: RecipeIngredient[][];
  ingredients?: number[];
  result: { id: number; count: number };
}

export interface Registry {
  version: Record<string, (v: string) => boolean>;
  blocks: Record<number, RegistryBlock>;
  blocksByName: Record<string, RegistryBlock>;
  blocksByStateId: Record<number, RegistryBlock>;
  items: Record<number, RegistryItem>;
  itemsByName: Record<string, RegistryItem>;
  entitiesByName: Record<string, { id: number; name: string; type: string }>;
  entities: Record<number, { id: number; name: string; type: string }>;
  recipes: Record<string, RegistryRecipe[]>;
}
