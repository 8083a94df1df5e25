/**
 * @chimera/worlds/minecraft: the embedded Minecraft world. An offline flying-squid 1.12 server
 * (game 1.21.4) with the project's fixes, run in a child process; the Minecraft environment
 * (bots through @chimera/toolbelt/mineflayer, task regions, server-side rewards); and the seeded
 * task generator of the curriculum.
 */
export { BotPool, type PooledBot, usernameFor } from './environment/bot-pool';
export { buildCandidates, CRAFT_MENU, MAX_CANDIDATES } from './environment/candidates';
export {
  createMinecraftEnvironment,
  type MinecraftEnvironment,
  type MinecraftEnvironmentOptions,
} from './environment/minecraft-environment';
export { type MinecraftObservationData, MinecraftSession } from './environment/minecraft-session';
export { REGION_RADIUS, REGION_SPACING, regionBlocks, regionOrigin } from './environment/region';
export { MinecraftServerDownError, MinecraftWorldError } from './errors';
export type {
  BlockPlacement,
  BlockPos,
  ServerEntityState,
  ServerPlayerState,
} from './server/protocol';
export { type CraftingGrid, type RecipeMatch, RecipeMatcher } from './server/recipe-matcher';
export {
  MINECRAFT_VERSION,
  type MinecraftServer,
  type MinecraftServerOptions,
  type ServerStopResult,
  startMinecraftServer,
} from './server/start-server';
export { MINECRAFT_FAMILIES } from './tasks/families';
export { createMinecraftTaskGenerator } from './tasks/task-generator';
export type {
  BlueprintBlock,
  MinecraftObjective,
  MinecraftTaskParams,
  Offset,
  TreeSpec,
} from './tasks/task-params';
export { blueprintEditDistance, judge, progress, type WorldSnapshot } from './tasks/verdict';
