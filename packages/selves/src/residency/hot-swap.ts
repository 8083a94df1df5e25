/**
 * Hot-swapping the active adapter (blueprint 5.3): fetch the next adapter from the RAM cache (or
 * disk, validated, on a miss), unload the current one from the device, load the next. Fetching
 * and validating come first, so a bad adapter file fails before anything is unloaded and the
 * previous Self stays active. Every swap's latency is measured and kept in the stats.
 */

import { SelvesError } from '../errors/selves-error';
import type { AdapterCache } from './adapter-cache';
import type { AdapterDevice } from './adapter-device';

export type SwapSource = 'ram' | 'disk';

export interface SwapRecord {
  from: string | null;
  to: string;
  /** Where the adapter came from: the RAM cache, or disk (read and validated). */
  source: SwapSource;
  latencyMs: number;
}

export interface SwapStats {
  count: number;
  meanLatencyMs: number;
  maxLatencyMs: number;
  lastLatencyMs: number;
  fromRam: { count: number; meanLatencyMs: number };
  fromDisk: { count: number; meanLatencyMs: number };
}

export interface HotSwapperOptions<V, H> {
  cache: AdapterCache<V>;
  device: AdapterDevice<V, H>;
  /** Reads and validates an adapter that is not in RAM (throws on a bad file). */
  load: (key: string) => Promise<V>;
  /** Cache entries inserted by a disk load are pinned when this says so. */
  pinOnLoad?: (key: string) => boolean;
  clock?: () => number;
}

export class HotSwapper<V, H> {
  private active: { key: string; value: V; handle: H } | null = null;
  private readonly totals = { ram: { count: 0, ms: 0 }, disk: { count: 0, ms: 0 } };
  private max = 0;
  private last = 0;
  private readonly clock: () => number;

  constructor(private readonly options: HotSwapperOptions<V, H>) {
    this.clock = options.clock ?? (() => performance.now());
  }

  get activeKey(): string | null {
    return this.active?.key ?? null;
  }

  /** What the runtime reads for the active adapter. */
  get activeHandle(): H | undefined {
    return this.active?.handle;
  }

  /** Makes `key` active, reading it from disk when it is not in RAM. No-op when already active. */
  async activate(key: string): Promise<SwapRecord | null> {
    if (this.active?.key === key) return null;
    const start = this.clock();
    let value = this.options.cache.get(key);
    let source: SwapSource = 'ram';
    if (value === undefined) {
      source = 'disk';
      value = await this.options.cache.getOrLoad(key, this.options.load, {
        pinned: this.options.pinOnLoad?.(key) ?? false,
      });
    }
    return this.bind(key, value, source, start);
  }

  /** Synchronous swap to an adapter already in RAM (the per-decision path); throws when it is not. */
  activateResident(key: string): SwapRecord | null {
    if (this.active?.key === key) return null;
    const start = this.clock();
    const value = this.options.cache.get(key);
    if (value === undefined) {
      throw new SelvesError(
        `adapter "${key}" is not in the RAM cache; activate it asynchronously first (it is read from disk)`,
      );
    }
    return this.bind(key, value, 'ram', start);
  }

  /** Unloads the active adapter (nothing active afterwards). */
  deactivate(): void {
    if (!this.active) return;
    this.options.device.unload(this.active.handle);
    this.active = null;
  }

  /** Points the active adapter at a new key and value (a commit replaced what the runtime reads). */
  rebind(key: string, value: V): void {
    if (!this.active) return;
    this.options.device.unload(this.active.handle);
    this.active = { key, value, handle: this.options.device.load(value) };
  }

  stats(): SwapStats {
    const { ram, disk } = this.totals;
    const count = ram.count + disk.count;
    return {
      count,
      meanLatencyMs: count ? (ram.ms + disk.ms) / count : 0,
      maxLatencyMs: this.max,
      lastLatencyMs: this.last,
      fromRam: { count: ram.count, meanLatencyMs: ram.count ? ram.ms / ram.count : 0 },
      fromDisk: { count: disk.count, meanLatencyMs: disk.count ? disk.ms / disk.count : 0 },
    };
  }

  private bind(key: string, value: V, source: SwapSource, start: number): SwapRecord {
    const previous = this.active;
    if (previous) this.options.device.unload(previous.handle);
    let handle: H;
    try {
      handle = this.options.device.load(value);
    } catch (error) {
      // Put the previous adapter back: a failed load must not leave the runtime without one.
      this.active = previous ? { ...previous, handle: this.options.device.load(previous.value) } : null;
      throw error;
    }
    this.active = { key, value, handle };
    const latencyMs = this.clock() - start;
    const total = this.totals[source];
    total.count++;
    total.ms += latencyMs;
    this.max = Math.max(this.max, latencyMs);
    this.last = latencyMs;
    return { from: previous?.key ?? null, to: key, source, latencyMs };
  }
}
