/**
 * Bots are expensive to connect (1-2 s) and cheap to reset, so the environment keeps one per
 * agent id for as long as the server lives and hands it to each of that agent's episodes.
 */
import { ToolAbstractionLayer, ToolRegistry } from '@chimera/toolbelt';
import {
  connectBot,
  createMineflayerAdapter,
  disconnectBot,
  type MineflayerAdapter,
  type ObserveOptions,
} from '@chimera/toolbelt/mineflayer';
import { MinecraftWorldError } from '../errors';

type Bot = MineflayerAdapter['state']['bot'];

export interface PooledBot {
  agentId: string;
  username: string;
  bot: Bot;
  adapter: MineflayerAdapter;
  tal: ToolAbstractionLayer;
  inUse: boolean;
}

export interface BotPoolOptions {
  host: string;
  observe?: ObserveOptions;
  /** Default tool timeout in the TAL (tools set their own; this covers the rest). */
  defaultTimeoutMs?: number;
}

/** A valid, stable Minecraft username (3-16 of [A-Za-z0-9_]) for an agent id. */
export function usernameFor(agentId: string): string {
  const cleaned = agentId.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 16);
  return cleaned.length >= 3 ? cleaned : `${cleaned}___`.slice(0, 3);
}

function connected(bot: Bot): boolean {
  const client = bot._client as unknown as { ended?: boolean; state?: string };
  return Boolean(bot.entity) && !client.ended && client.state === 'play';
}

export class BotPool {
  readonly #bots = new Map<string, PooledBot>();
  readonly #usernames = new Map<string, string>();
  readonly #options: BotPoolOptions;

  constructor(options: BotPoolOptions) {
    this.#options = options;
  }

  async acquire(agentId: string, port: number): Promise<PooledBot> {
    const username = usernameFor(agentId);
    const owner = this.#usernames.get(username);
    if (owner !== undefined && owner !== agentId) {
      throw new MinecraftWorldError(
        `agent ids "${owner}" and "${agentId}" map to the same username ${username}`,
      );
    }
    const existing = this.#bots.get(agentId);
    if (existing?.inUse)
      throw new MinecraftWorldError(`agent "${agentId}" is already in an episode: close it first`);
    if (existing && connected(existing.bot)) {
      existing.inUse = true;
      return existing;
    }
    if (existing) await this.#drop(existing);
    const bot = await connectBot({ host: this.#options.host, port, username });
    const adapter = createMineflayerAdapter(bot, { observe: this.#options.observe });
    const tal = new ToolAbstractionLayer({
      registry: new ToolRegistry(adapter.tools),
      defaultTimeoutMs: this.#options.defaultTimeoutMs ?? 30_000,
    });
    const pooled: PooledBot = { agentId, username, bot, adapter, tal, inUse: true };
    this.#bots.set(agentId, pooled);
    this.#usernames.set(username, agentId);
    return pooled;
  }

  release(agentId: string): void {
    const pooled = this.#bots.get(agentId);
    if (!pooled) return;
    pooled.inUse = false;
    pooled.adapter.reset();
  }

  /** Disconnects every bot (server restart or environment close). */
  async clear(): Promise<void> {
    const all = [...this.#bots.values()];
    this.#bots.clear();
    this.#usernames.clear();
    await Promise.all(all.map((pooled) => this.#drop(pooled)));
  }

  list(): { agentId: string; username: string; inUse: boolean }[] {
    return [...this.#bots.values()].map(({ agentId, username, inUse }) => ({ agentId, username, inUse }));
  }

  async #drop(pooled: PooledBot): Promise<void> {
    pooled.adapter.dispose();
    this.#bots.delete(pooled.agentId);
    await disconnectBot(pooled.bot);
  }
}
