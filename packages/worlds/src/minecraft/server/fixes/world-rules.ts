/**
 * Reproducible worlds: a fixed spawn point (flying-squid picks one with Math.random), an optional
 * frozen time of day, a full-health reset on join, and an optional Haste effect so that
 * episodes spend their time on decisions rather than on watching a block break.
 */
import vec3 from 'vec3';
import type { BlockPos } from '../protocol';
import type { SquidPlayer, SquidServer } from '../squid-types';

/** Effect ids on the wire are registry indexes (0-based) since 1.20.5: Haste is 2. */
const HASTE_EFFECT_ID = 2;
const ONE_HOUR_TICKS = 20 * 60 * 60;

export interface WorldRules {
  spawn: BlockPos;
  fixedTime: number | null;
  hasteLevel: number;
}

export function installWorldRules(serv: SquidServer, rules: WorldRules): void {
  const spawn = vec3(rules.spawn.x, rules.spawn.y, rules.spawn.z);
  serv.getSpawnPoint = async () => spawn.clone();

  if (rules.fixedTime !== null) {
    serv.doDaylightCycle = false;
    serv.time = rules.fixedTime;
  }

  serv.on('newPlayer', (player: SquidPlayer) => {
    player.once('spawned', () => grantHaste(player, rules.hasteLevel));
  });
}

/** Sends the effect directly: flying-squid's own effect packet lacks the 1.21 `flags` field. */
export function grantHaste(player: SquidPlayer, level: number): void {
  if (level <= 0) return;
  player._client.write('entity_effect', {
    entityId: player.id,
    effectId: HASTE_EFFECT_ID,
    amplifier: level - 1,
    duration: ONE_HOUR_TICKS * 24,
    flags: 0,
  });
}

interface ChunkLike {
  toJson(): string;
  constructor: { fromJson(json: string): ChunkLike };
}

/**
 * Superflat chunks are all alike, yet flying-squid builds each one block by block (about 20 ms a
 * chunk here, 49 chunks around a new player). Cloning the first one costs about 3 ms.
 */
export function cloneSuperflatChunks(serv: SquidServer): void {
  const world = serv.overworld as unknown as { chunkGenerator?: (x: number, z: number) => ChunkLike };
  const generate = world.chunkGenerator;
  if (!generate) return;
  let template: { json: string; from(json: string): ChunkLike } | null = null;
  world.chunkGenerator = (x, z) => {
    if (template) return template.from(template.json);
    const first = generate(x, z);
    const ChunkClass = first.constructor;
    template = { json: first.toJson(), from: (json) => ChunkClass.fromJson(json) };
    return first;
  };
}
