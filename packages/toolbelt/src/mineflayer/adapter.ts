/**
 * The mineflayer adapter: one bot's tools (actions and queries, in the spirit of MINDcraft's
 * commands) and its observer, sharing one state. Register `tools` in a ToolRegistry and dispatch
 * through the TAL; call `observe()` for the structured observation and `render()` for its text.
 */
import type { AnyTool } from '../define-tool';
import { EntityRegistry } from '../entities/entity-registry';
import type { ChatEntry, MineflayerAgentState } from './agent-state';
import type { Bot } from './deps';
import { stopEverything } from './interrupt';
import { type BotObservation, type ObserveOptions, observeBot, renderObservation } from './observe';
import { attackTool } from './tools/attack';
import { chatTool } from './tools/chat';
import { collectBlocksTool } from './tools/collect-blocks';
import { craftItemTool } from './tools/craft-item';
import { dropItemTool, equipTool, giveItemTool } from './tools/inventory-tools';
import { goToBlockTool, goToPlayerTool, goToPositionTool } from './tools/movement-tools';
import { placeBlockTool } from './tools/place-block';
import {
  craftableItemsTool,
  inventoryTool,
  nearbyBlocksTool,
  nearbyEntitiesTool,
  statsTool,
} from './tools/queries';

export interface MineflayerAdapterOptions {
  /** Shared short-id registry (default: a new one with prefix `e`). */
  entities?: EntityRegistry;
  /** Scope of this bot's entity ids (default `minecraft:<username>`). */
  scope?: string;
  /** How far block searches reach horizontally (default 16; 4 below and 8 above the feet). */
  searchRadius?: number;
  /** Chat lines remembered (default 20). */
  chatHistory?: number;
  /** Defaults for `observe()`. */
  observe?: ObserveOptions;
}

export interface MineflayerAdapter {
  readonly state: MineflayerAgentState;
  /** Actions and queries, ready for a ToolRegistry. */
  readonly tools: AnyTool[];
  observe(options?: ObserveOptions): BotObservation;
  render(observation: BotObservation): string;
  /**
   * Forgets chat and the last action (between episodes that reuse the bot). With an entity registry
   * of its own (none given in the options), it also numbers entity ids from `e1` again, so the ids
   * an episode shows do not depend on what earlier episodes saw; a shared registry is left alone.
   */
  reset(): void;
  /** Stops whatever the bot is doing and detaches the adapter's listeners (the bot stays connected). */
  dispose(): void;
}

export function createMineflayerAdapter(bot: Bot, options: MineflayerAdapterOptions = {}): MineflayerAdapter {
  const chat: ChatEntry[] = [];
  const historyLimit = options.chatHistory ?? 20;
  const state: MineflayerAgentState = {
    bot,
    entities: options.entities ?? new EntityRegistry({ prefix: 'e' }),
    scope: options.scope ?? `minecraft:${bot.username}`,
    chat,
    lastReport: null,
    searchRadius: options.searchRadius ?? 16,
  };
  const onChat = (username: string, message: string) => {
    if (username === bot.username) return;
    chat.push({ from: username, message, at: Date.now() });
    if (chat.length > historyLimit) chat.splice(0, chat.length - historyLimit);
  };
  bot.on('chat', onChat);

  const tools: AnyTool[] = [
    goToPositionTool(state),
    goToPlayerTool(state),
    goToBlockTool(state),
    collectBlocksTool(state),
    craftItemTool(state),
    placeBlockTool(state),
    equipTool(state),
    attackTool(state),
    giveItemTool(state),
    dropItemTool(state),
    chatTool(state),
    statsTool(state),
    inventoryTool(state),
    nearbyBlocksTool(state),
    nearbyEntitiesTool(state),
    craftableItemsTool(state),
  ];

  return {
    state,
    tools,
    observe: (observeOptions) => observeBot(state, { ...options.observe, ...observeOptions }),
    render: renderObservation,
    reset() {
      chat.length = 0;
      state.lastReport = null;
      if (!options.entities) state.entities.restart();
    },
    dispose() {
      bot.removeListener('chat', onChat);
      stopEverything(bot);
    },
  };
}
