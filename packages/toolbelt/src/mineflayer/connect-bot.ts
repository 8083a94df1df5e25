/**
 * Connecting a mineflayer bot with the settings the tools rely on: the pathfinder plugin with
 * conservative movements (no digging through or building over the world to get somewhere),
 * partial-packet noise hidden, and a start-up timeout instead of a hang.
 */
import { EnvironmentError } from '../errors/environment-error';
import { type Bot, createBot, Movements, pathfinderPlugin } from './deps';

export interface ConnectBotOptions {
  host?: string;
  port: number;
  username: string;
  /** Game version (default 1.21.4, the version @chimera/worlds serves). */
  version?: string;
  /** How long to wait for the spawn (default 45 s: a loaded machine can take long). */
  timeoutMs?: number;
}

export async function connectBot(options: ConnectBotOptions): Promise<Bot> {
  const timeoutMs = options.timeoutMs ?? 45_000;
  const bot = createBot({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    username: options.username,
    auth: 'offline',
    version: options.version ?? '1.21.4',
    // Every dig otherwise prints a harmless partial-packet line.
    hideErrors: true,
    logErrors: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new EnvironmentError(`bot ${options.username} did not spawn within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const fail = (reason: unknown) => {
        clearTimeout(timer);
        reject(
          new EnvironmentError(
            `bot ${options.username} could not join ${options.host ?? '127.0.0.1'}:${options.port}: ${describe(reason)}`,
            {
              cause: reason,
            },
          ),
        );
      };
      bot.once('spawn', () => {
        clearTimeout(timer);
        bot.removeListener('error', fail);
        bot.removeListener('kicked', fail);
        bot.removeListener('end', fail);
        resolve();
      });
      bot.once('error', fail);
      bot.once('kicked', fail);
      bot.once('end', fail);
    });
  } catch (err) {
    await disconnectBot(bot);
    throw err;
  }
  bot.loadPlugin(pathfinderPlugin);
  bot.pathfinder.setMovements(conservativeMovements(bot));
  // A bot with no 'error' listener would crash the host on a socket reset.
  bot.on('error', () => {});
  return bot;
}

interface ClientInternals {
  ended?: boolean;
  closeTimer?: ReturnType<typeof setTimeout>;
  socket?: { destroy(): void };
}

/**
 * Leaves the server and releases everything: minecraft-protocol arms a 30-second fallback timer
 * on every `end()`, even on a connection that is already closed, which keeps a process alive
 * for half a minute after its last bot quit. This ends once, waits for the close, and disarms it.
 */
export async function disconnectBot(bot: Bot, timeoutMs = 2000): Promise<void> {
  const client = bot._client as unknown as ClientInternals & NodeJS.EventEmitter;
  if (!client.ended) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        client.removeListener('end', done);
        resolve();
      }
      client.once('end', done);
      bot.quit();
    });
  }
  clearTimeout(client.closeTimer);
  client.socket?.destroy();
}

/** Movements that never dig or place blocks on the way, so walking leaves the world as it was. */
export function conservativeMovements(bot: Bot): InstanceType<typeof Movements> {
  const movements = new Movements(bot);
  movements.canDig = false;
  movements.allow1by1towers = false;
  movements.allowParkour = false;
  movements.scafoldingBlocks = [];
  movements.allowSprinting = true;
  return movements;
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string') return reason;
  try {
    return JSON.stringify(reason);
  } catch {
    return String(reason);
  }
}
