import { describe, expect, it } from 'vitest';
import { detectHardware, GiB, parseNvidiaSmiCsv } from './hardware-profile';

describe('detectHardware', () => {
  it('works on this machine whether or not nvidia-smi exists', async () => {
    const profile = await detectHardware();
    expect(profile.ramBytes).toBeGreaterThan(GiB);
    expect(Array.isArray(profile.gpus)).toBe(true);
    expect(profile.notes.length).toBeGreaterThan(0);
  });

  it('reports no GPU when nvidia-smi is absent or fails, and parses it when present', async () => {
    const none = await detectHardware({ nvidiaSmi: async () => undefined });
    expect(none.gpus).toEqual([]);
    expect(none.notes[0]).toMatch(/no GPU found/);
    const throwing = await detectHardware({
      nvidiaSmi: async () => {
        throw new Error('spawn nvidia-smi ENOENT');
      },
    });
    expect(throwing.gpus).toEqual([]);
    const h100 = await detectHardware({
      nvidiaSmi: async (args) => {
        expect(args).toContain('--format=csv,noheader,nounits');
        return 'NVIDIA H100 80GB HBM3, 81559, 80000, 580.65.06, 9.0\n';
      },
    });
    expect(h100.gpus[0]).toMatchObject({
      name: 'NVIDIA H100 80GB HBM3',
      memoryBytes: 81559 * 1024 ** 2,
      freeBytes: 80000 * 1024 ** 2,
      bandwidthBytesPerSecond: 3.35e12,
      computeCapability: '9.0',
      driverVersion: '580.65.06',
    });
  });

  it('skips lines it cannot parse and leaves unknown bandwidth undefined', () => {
    const gpus = parseNvidiaSmiCsv('garbage\nSome Future GPU, 49152, [N/A], N/A, [N/A]\n\n');
    expect(gpus).toHaveLength(1);
    expect(gpus[0]!.bandwidthBytesPerSecond).toBeUndefined();
    expect(gpus[0]!.freeBytes).toBeUndefined();
  });
});
