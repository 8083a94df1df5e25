/**
 * mineflayer 4.x's `once()`, `onceWithCleanup()` and `withTimeout()` arm a timeout (20 s for
 * `once`) and never clear it when the event arrives, so every craft and window click leaves
 * timers behind that keep a finished process alive for up to 20 seconds. This replaces them,
 * with the same semantics, by versions that clear their timer when they settle. It must run
 * before mineflayer loads its plugins (they destructure these functions), so deps.ts calls it
 * before requiring mineflayer; if mineflayer was loaded earlier by someone else, nothing changes.
 */

type Once = (emitter: NodeJS.EventEmitter, event: string, timeout?: number) => Promise<unknown[]>;
interface OnceOptions {
  timeout?: number;
  checkCondition?: (...data: unknown[]) => unknown;
  signal?: AbortSignal;
}
interface PromiseUtils {
  onceWithCleanup(emitter: NodeJS.EventEmitter, event: string, options?: OnceOptions): Promise<unknown[]>;
  once: Once;
  withTimeout<T>(promise: Promise<T>, timeout: number): Promise<T>;
  chimeraTimersCleared?: boolean;
}

function patch(utils: PromiseUtils): void {
  if (utils.chimeraTimersCleared) return;
  utils.chimeraTimersCleared = true;
  const original = utils.onceWithCleanup;
  utils.onceWithCleanup = (emitter, event, { timeout = 0, checkCondition, signal } = {}) => {
    if (!(typeof timeout === 'number' && timeout > 0))
      return original(emitter, event, { checkCondition, signal });
    // The original removes its listener and rejects with the reason when its signal aborts.
    const controller = new AbortController();
    const timeoutError = new Error(`Event ${event} did not fire within timeout of ${timeout}ms`);
    const timer = setTimeout(() => controller.abort(timeoutError), timeout);
    const forward = () => controller.abort(signal?.reason);
    if (signal?.aborted) forward();
    else signal?.addEventListener('abort', forward, { once: true });
    return original(emitter, event, { checkCondition, signal: controller.signal }).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    });
  };
  utils.once = (emitter, event, timeout = 20_000) => utils.onceWithCleanup(emitter, event, { timeout });
  utils.withTimeout = <T>(promise: Promise<T>, timeout: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Promise timed out.')), timeout);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  };
}

/** Installs the fix through `require` (the one that will load mineflayer). Idempotent. */
export function clearMineflayerTimers(require: NodeJS.Require): void {
  try {
    patch(require('mineflayer/lib/promise_utils.js') as PromiseUtils);
  } catch {
    // A mineflayer without this module: nothing to fix.
  }
}
