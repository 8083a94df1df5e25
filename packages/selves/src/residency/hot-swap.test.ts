import { describe, expect, it } from 'vitest';
import { AdapterCache } from './adapter-cache';
import { HostDevice, StagingDevice } from './adapter-device';
import { HotSwapper } from './hot-swap';

const tensors = (fill: number) => [new Float32Array(4).fill(fill), new Float32Array(2).fill(fill)];

describe('HotSwapper', () => {
  it('swaps through a staging device, reading misses from disk, and keeps the previous adapter on failure', async () => {
    const cache = new AdapterCache<Float32Array[]>(1024, (v) => v.reduce((s, t) => s + t.byteLength, 0));
    const device = new StagingDevice<Float32Array[]>((v) => v);
    const disk: Record<string, Float32Array[]> = { a: tensors(1), b: tensors(2) };
    let time = 0;
    const swapper = new HotSwapper({
      cache,
      device,
      load: async (key) => {
        const value = disk[key];
        if (!value) throw new Error(`${key}: truncated file`);
        return value;
      },
      clock: () => (time += 1.5),
    });
    const first = await swapper.activate('a');
    expect(first).toMatchObject({ from: null, to: 'a', source: 'disk', latencyMs: 1.5 });
    expect(Array.from(swapper.activeHandle![0]!)).toEqual([1, 1, 1, 1]);
    expect(swapper.activeHandle![0]).not.toBe(disk.a![0]); // a copy on the device
    await swapper.activate('b');
    expect(await swapper.activate('b')).toBeNull();
    expect(swapper.activateResident('a')).toMatchObject({ from: 'b', to: 'a', source: 'ram' });
    await expect(swapper.activate('broken')).rejects.toThrow(/truncated/);
    expect(swapper.activeKey).toBe('a');
    expect(Array.from(swapper.activeHandle![1]!)).toEqual([1, 1]);
    expect(() => swapper.activateResident('missing')).toThrow(/not in the RAM cache/);
    expect(swapper.stats()).toMatchObject({ count: 3, fromDisk: { count: 2 }, fromRam: { count: 1 } });
    expect(device.capacityBytes).toBe(24);
  });

  it('binds host values without copying', async () => {
    const cache = new AdapterCache<Float32Array[]>(1024, () => 8);
    const value = tensors(3);
    cache.set('x', value);
    const swapper = new HotSwapper({
      cache,
      device: new HostDevice<Float32Array[]>(),
      load: async () => value,
    });
    swapper.activateResident('x');
    expect(swapper.activeHandle).toBe(value);
  });
});
