/**
 * The Minecraft task generator: seeded tasks in families with difficulty levels. The same
 * (family, difficulty, seed, split) always gives the same task; the task is plain JSON.
 */
import type { TaskFamilyInfo, TaskGenerator, TaskSpec } from '@chimera/toolbelt';
import { MinecraftWorldError } from '../errors';
import { MINECRAFT_FAMILIES } from './families';
import { seededRandom } from './seeded-random';

export function createMinecraftTaskGenerator(): TaskGenerator {
  const byName = new Map(MINECRAFT_FAMILIES.map((f) => [f.info.family, f]));
  return {
    environment: 'minecraft',
    families(): TaskFamilyInfo[] {
      return MINECRAFT_FAMILIES.map((f) => ({
        ...f.info,
        difficulties: [...f.info.difficulties],
        skills: [...f.info.skills],
      }));
    },
    generate({ family, difficulty, seed, split }): TaskSpec {
      const definition = byName.get(family);
      if (!definition) {
        throw new MinecraftWorldError(
          `unknown Minecraft task family "${family}"; known: ${[...byName.keys()].join(', ')}`,
        );
      }
      if (!definition.info.difficulties.includes(difficulty)) {
        throw new MinecraftWorldError(
          `family "${family}" has no difficulty ${difficulty}; it has ${definition.info.difficulties.join(', ')}`,
        );
      }
      if (!Number.isInteger(seed)) throw new MinecraftWorldError(`seed must be an integer, got ${seed}`);
      // Mixing the family name in keeps layouts of different families with the same seed apart.
      let mix = seed >>> 0;
      for (const ch of family) mix = (Math.imul(mix, 31) + ch.charCodeAt(0)) >>> 0;
      const built = definition.build(difficulty, seededRandom(mix ^ (difficulty * 0x9e3779b9)));
      return {
        id: `minecraft/${family}/d${difficulty}/${split}/${seed}`,
        environment: 'minecraft',
        family,
        difficulty,
        goal: built.goal,
        seed,
        split,
        needsExperience: definition.info.needsExperience,
        maxSteps: built.maxSteps,
        tags: [...definition.info.skills, `difficulty:${difficulty}`],
        params: built.params as unknown as Record<string, unknown>,
      };
    },
  };
}
