/**
 * @chimera/toolbelt/mineflayer: Minecraft tools for a mineflayer bot (go to, collect, craft,
 * place, equip, attack, give, chat, and queries), an observation summarizer, and a bot connector.
 * mineflayer, mineflayer-pathfinder and vec3 are optional peer dependencies.
 */
export { type ActionReport, type BlockChange, inventoryCounts } from './action-report';
export { createMineflayerAdapter, type MineflayerAdapter, type MineflayerAdapterOptions } from './adapter';
export type { ChatEntry, MineflayerAgentState } from './agent-state';
export { type ConnectBotOptions, connectBot, conservativeMovements, disconnectBot } from './connect-bot';
export { type CraftableItem, craftableItems, missingIngredients } from './crafting';
export {
  type BotObservation,
  type NearbyBlockType,
  type NearbyEntity,
  type ObserveOptions,
  observeBot,
  renderObservation,
} from './observe';
