/**
 * A registry of every timer the server process creates, so that shutdown can clear them.
 *
 * flying-squid's `quit()` leaves its 20 Hz tick, a latency interval per player and a dig
 * animation interval per dig running, so the process never exits on its own. The server
 * process is dedicated to flying-squid, so tracking the global timer functions there (installed
 * before flying-squid loads) catches all of them without patching its plugins one by one.
 */
type AnyTimer = ReturnType<typeof setTimeout>;

export interface TimerRegistry {
  /** Timers still pending. */
  readonly size: number;
  clearAll(): void;
}

export function trackTimers(): TimerRegistry {
  const live = new Set<AnyTimer>();
  const { setTimeout: st, setInterval: si, clearTimeout: ct, clearInterval: ci } = globalThis;

  globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: AnyTimer = st(
      (...a: unknown[]) => {
        live.delete(handle);
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(handle);
    return handle;
  }) as typeof setTimeout;
  globalThis.setInterval = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = si(fn, ms, ...args);
    live.add(handle);
    return handle;
  }) as typeof setInterval;
  globalThis.clearTimeout = ((handle?: AnyTimer) => {
    if (handle) live.delete(handle);
    ct(handle);
  }) as typeof clearTimeout;
  globalThis.clearInterval = ((handle?: AnyTimer) => {
    if (handle) live.delete(handle);
    ci(handle);
  }) as typeof clearInterval;

  return {
    get size() {
      return live.size;
    },
    clearAll() {
      for (const handle of live) ci(handle);
      live.clear();
    },
  };
}
