/**
 * Dropped items that behave like the game's, deterministically.
 *
 * flying-squid 1.12: a picked-up stack adds one item whatever its size; the first player in the
 * server's list (not the nearest) picks it up; a thrower picks its own toss back up at once;
 * blocks drop every loot-table entry ignoring chances and tools (stone mined by hand drops
 * cobblestone, leaves drop saplings, sticks and apples every time); drop velocities come from
 * Math.random; item entities carry no item metadata for 1.20.2+ clients.
 */
import vec3 from 'vec3';
import type { ItemConstructor, SquidEntity, SquidPlayer, SquidServer } from '../squid-types';
import { addItem } from './inventory-ops';

const PICKUP_RADIUS = 1.75;
const DIG_PICKUP_DELAY_MS = 250;
const TOSS_PICKUP_DELAY_MS = 500;
/** A thrower cannot catch its own toss for this long, so an item handed over reaches the other player. */
const THROWER_BLOCK_MS = 4000;
/** Blocks per second: a toss lands about a block and a half ahead, where a partner 2 blocks away can catch it. */
const TOSS_SPEED = 3;
/** Item entity data index of the stack in 1.21.x (after the 8 base entity fields). */
const ITEM_METADATA_KEY = 8;

export interface ItemDrops {
  dropItem(player: SquidPlayer, itemId: number, count: number): void;
}

export function installItemDrops(serv: SquidServer, Item: ItemConstructor): ItemDrops {
  const registry = serv.registry;
  const itemEntityType = registry.entitiesByName.item!.id;
  const spawnObject = serv.spawnObject.bind(serv);

  const announceStack = (entity: SquidEntity) => {
    if (entity.itemId === undefined) return;
    const metadata = [
      {
        key: ITEM_METADATA_KEY,
        type: 'item_stack',
        value: Item.toNotch(new Item(entity.itemId, entity.itemCount ?? 1)),
      },
    ];
    for (const player of serv.players) {
      if (player.world === entity.world)
        player._client.write('entity_metadata', { entityId: entity.id, metadata });
    }
  };

  serv.spawnObject = (type, world, position, options) => {
    if (type !== itemEntityType) return spawnObject(type, world, position, options);
    const delay = typeof options.pickupTime === 'number' ? options.pickupTime : DIG_PICKUP_DELAY_MS;
    const fromDig = options.chimeraThrower === undefined;
    const entity = spawnObject(type, world, position, {
      ...options,
      // Our own pickup loop below replaces flying-squid's (which gives one item per stack).
      pickupTime: undefined,
      // A dug block's drop falls straight down its own column (no random scatter).
      velocity: fromDig ? vec3(0, 0, 0) : options.velocity,
    });
    entity.chimeraPickupAt = Date.now() + delay;
    if (typeof options.chimeraThrower === 'number') {
      entity.chimeraThrower = options.chimeraThrower;
      entity.chimeraThrowerBlockedUntil = Date.now() + THROWER_BLOCK_MS;
    }
    announceStack(entity);
    return entity;
  };

  const dropItem = (player: SquidPlayer, itemId: number, count: number) => {
    if (count <= 0) return;
    const yaw = (player.yaw * 2 * Math.PI) / 256;
    const pitch = (player.pitch * 2 * Math.PI) / 256;
    const direction = vec3(
      -Math.sin(yaw) * Math.cos(pitch),
      -Math.sin(pitch),
      Math.cos(yaw) * Math.cos(pitch),
    );
    serv.spawnObject(
      itemEntityType,
      player.world,
      player.position.offset(0, 1.3, 0).plus(direction.scaled(0.3)),
      {
        velocity: direction.scaled(TOSS_SPEED).offset(0, 1, 0),
        itemId,
        itemCount: count,
        pickupTime: TOSS_PICKUP_DELAY_MS,
        deathTime: 5 * 60 * 1000,
        chimeraThrower: player.id,
      },
    );
  };

  const collect = (entity: SquidEntity, player: SquidPlayer) => {
    const itemId = entity.itemId!;
    const count = entity.itemCount ?? 1;
    const stackSize = registry.items[itemId]?.stackSize ?? 64;
    const left = addItem(player.inventory, Item, itemId, count, stackSize);
    const taken = count - left;
    if (taken === 0) return;
    entity._writeOthersNearby('collect', {
      collectedEntityId: entity.id,
      collectorEntityId: player.id,
      pickupItemCount: taken,
    });
    if (left === 0) entity.destroy();
    else {
      entity.itemCount = left;
      announceStack(entity);
    }
  };

  serv.on('tick', () => {
    const now = Date.now();
    for (const entity of Object.values(serv.entities)) {
      if (entity.chimeraPickupAt === undefined || entity.chimeraPickupAt > now) continue;
      let best: SquidPlayer | null = null;
      let bestDistance = PICKUP_RADIUS;
      for (const player of serv.players) {
        if (player.world !== entity.world || (player.health ?? 20) <= 0 || player.gameMode === 3) continue;
        if (player.id === entity.chimeraThrower && now < (entity.chimeraThrowerBlockedUntil ?? 0)) continue;
        const distance = player.position.offset(0, 0.9, 0).distanceTo(entity.position);
        if (distance <= bestDistance) {
          best = player;
          bestDistance = distance;
        }
      }
      if (best) collect(entity, best);
    }
  });

  serv.on('newPlayer', (player: SquidPlayer) => {
    player.on(
      'dug',
      (data: { block: { name: string }; dropBlock: boolean; drops: { blockDropId: number }[] }) => {
        const block = registry.blocksByName[data.block.name];
        const held = player.inventory.slots[36 + player.heldItemSlot];
        if (block?.harvestTools && !(held && block.harvestTools[held.type])) {
          data.dropBlock = false;
          return;
        }
        const loot = (registry as unknown as { blockLoot?: Record<string, { drops: LootDrop[] }> })
          .blockLoot?.[data.block.name];
        if (!loot) return;
        // Keep the drops the game gives (almost) always; chance drops (saplings, apples) are left out.
        const certain = new Set(
          loot.drops.filter((d) => (d.dropChance ?? 1) >= 0.5).map((d) => registry.itemsByName[d.item]?.id),
        );
        for (let i = data.drops.length - 1; i >= 0; i--) {
          if (!certain.has(data.drops[i]!.blockDropId)) data.drops.splice(i, 1);
        }
      },
    );
  });

  return { dropItem };
}

interface LootDrop {
  item: string;
  dropChance?: number;
}
