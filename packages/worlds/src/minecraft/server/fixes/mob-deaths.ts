/**
 * Mobs that die disappear for everyone. flying-squid removes a killed mob from its entity table
 * but never tells clients, so bots keep seeing (and attacking) a corpse. It also only spawns
 * entities of minecraft-data type `mob` (zombies...), not animals (pigs, cows).
 */
import type { SquidEntity, SquidServer } from '../squid-types';

export function installMobDeaths(serv: SquidServer): void {
  serv.on('newEntity', (entity: SquidEntity & { takeDamage?: (o: Record<string, unknown>) => void }) => {
    if (entity.type === 'player' || typeof entity.takeDamage !== 'function') return;
    const takeDamage = entity.takeDamage;
    entity.takeDamage = (options) => {
      takeDamage(options);
      if ((entity.health ?? 1) <= 0) entity._writeOthersNearby('entity_destroy', { entityIds: [entity.id] });
    };
  });
  // serv.spawnMob looks types up in registry.mobs (hostile mobs only): list every living entity.
  const mobs = (serv.registry as unknown as { mobs?: Record<number, unknown> }).mobs;
  if (mobs) {
    for (const entity of Object.values(serv.registry.entities)) {
      if (
        ['animal', 'hostile', 'passive', 'mob', 'water_creature', 'ambient', 'living'].includes(entity.type)
      ) {
        mobs[entity.id] ??= entity;
      }
    }
  }
}
