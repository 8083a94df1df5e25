/**
 * The RAM tier of the memory orchestrator: adapters kept in host memory under a byte budget,
 * least recently used first out, except pinned entries (the live copies of acting Selves, whose
 * in-place training must not be dropped). A Map iterates in insertion order, so re-inserting on
 * every hit keeps the least recently used entry first: O(1) per get, eviction scans from the front.
 */
import { SelvesError } from '../errors/selves-error';

export interface AdapterCacheStats {
  entries: number;
  bytes: number;
  pinnedBytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  /** Values larger than the whole budget, handed out without being kept. */
  oversize: number;
}

interface Entry<V> {
  value: V;
  bytes: number;
  pinned: boolean;
}

export class AdapterCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private total = 0;
  private pinnedTotal = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private oversize = 0;
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    readonly budgetBytes: number,
    private readonly sizeOf: (value: V) => number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {
    if (!(budgetBytes >= 0) || !Number.isFinite(budgetBytes)) {
      throw new SelvesError(`budgetBytes must be a finite number >= 0, got ${budgetBytes}`);
    }
  }

  /** The value under `key` (marking it most recently used), or undefined. Counts a hit or a miss. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Like get, without touching recency or counters. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Inserts or replaces `key`, then evicts unpinned entries (oldest first) until the budget holds.
   * An unpinned value larger than the whole budget is not kept (returns false); pinned entries are
   * always kept, and may leave the cache over budget until they are unpinned.
   */
  set(key: string, value: V, options: { pinned?: boolean } = {}): boolean {
    const bytes = this.sizeOf(value);
    const pinned = options.pinned ?? this.entries.get(key)?.pinned ?? false;
    this.remove(key);
    if (!pinned && bytes > this.budgetBytes) {
      this.oversize++;
      return false;
    }
    this.entries.set(key, { value, bytes, pinned });
    this.total += bytes;
    if (pinned) this.pinnedTotal += bytes;
    this.evict();
    return this.entries.has(key);
  }

  /** The cached value, or `load(key)` inserted (concurrent misses share one load). */
  async getOrLoad(
    key: string,
    load: (key: string) => Promise<V>,
    options: { pinned?: boolean } = {},
  ): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) {
      if (options.pinned) this.pin(key);
      return hit;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load(key).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const value = await pending;
    if (!this.entries.has(key)) this.set(key, value, options);
    return value;
  }

  pin(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) throw new SelvesError(`cannot pin "${key}": it is not in the RAM cache`);
    if (!entry.pinned) {
      entry.pinned = true;
      this.pinnedTotal += entry.bytes;
    }
  }

  unpin(key: string): void {
    const entry = this.entries.get(key);
    if (!entry?.pinned) return;
    entry.pinned = false;
    this.pinnedTotal -= entry.bytes;
    this.evict();
  }

  isPinned(key: string): boolean {
    return this.entries.get(key)?.pinned ?? false;
  }

  delete(key: string): boolean {
    return this.remove(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  stats(): AdapterCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.total,
      pinnedBytes: this.pinnedTotal,
      budgetBytes: this.budgetBytes,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      oversize: this.oversize,
    };
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.bytes;
    if (entry.pinned) this.pinnedTotal -= entry.bytes;
    return true;
  }

  private evict(): void {
    if (this.total <= this.budgetBytes) return;
    for (const [key, entry] of this.entries) {
      if (this.total <= this.budgetBytes) break;
      if (entry.pinned) continue;
      this.remove(key);
      this.evictions++;
      this.onEvict?.(key, entry.value);
    }
  }
}
