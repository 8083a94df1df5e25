import { describe, expect, it } from 'vitest';
import { AdapterCache } from './adapter-cache';

const sized = (bytes: number) => new Uint8Array(bytes);

describe('AdapterCache', () => {
  it('evicts least recently used entries to stay within the byte budget', () => {
    const evicted: string[] = [];
    const cache = new AdapterCache<Uint8Array>(
      300,
      (v) => v.byteLength,
      (key) => evicted.push(key),
    );
    cache.set('a', sized(100));
    cache.set('b', sized(100));
    cache.set('c', sized(100));
    cache.get('a'); // a is now the most recent
    cache.set('d', sized(100));
    expect(evicted).toEqual(['b']);
    expect(cache.keys()).toEqual(['c', 'a', 'd']);
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 300, evictions: 1, hits: 1 });
  });

  it('never evicts pinned entries, and evicts once they are unpinned', () => {
    const cache = new AdapterCache<Uint8Array>(250, (v) => v.byteLength);
    cache.set('live', sized(200), { pinned: true });
    cache.set('x', sized(100));
    expect(cache.has('live')).toBe(true);
    expect(cache.has('x')).toBe(false);
    cache.set('big', sized(200), { pinned: true });
    expect(cache.stats()).toMatchObject({ bytes: 400, pinnedBytes: 400 });
    cache.unpin('live');
    expect(cache.has('live')).toBe(false);
    expect(cache.stats().bytes).toBe(200);
  });

  it('hands out values larger than the budget without keeping them, and shares concurrent loads', async () => {
    const cache = new AdapterCache<Uint8Array>(50, (v) => v.byteLength);
    expect(cache.set('huge', sized(100))).toBe(false);
    expect(cache.stats().oversize).toBe(1);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return sized(10);
    };
    const [x, y] = await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    expect(loads).toBe(1);
    expect(x).toBe(y);
    expect(() => new AdapterCache(-1, () => 0)).toThrow(/budgetBytes/);
  });
});
