import { describe, expect, it } from 'vitest';
import { GiB, RTX_5090_WORKSTATION, withRam } from './hardware-profile';
import { MemoryPlanError } from './memory-error';
import { formatPlan, planMemory } from './memory-planner';

// A 32B model shaped like Qwen2.5-32B: 64 layers, hidden 5120, 40 heads, 8 KV heads, 0.78e9 embedding parameters.
const model32b = {
  name: '32B',
  parameters: 32.5e9,
  bits: 4,
  groupSize: 32,
  unquantizedParameters: 0.78e9,
  layers: 64,
  hiddenSize: 5120,
  heads: 40,
  kvHeads: 8,
};
const selves = { count: 48, rank: 16, hiddenSize: 5120, layers: 64, targetsPerLayer: 4 };

describe('planMemory', () => {
  it('fits a 4-bit 32B model with 48 adapters on the RTX 5090 workstation, for inference and QuZO training', () => {
    // #region memory-plan
    const plan = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: {
        parameters: 32.5e9,
        bits: 4,
        unquantizedParameters: 0.78e9,
        layers: 64,
        hiddenSize: 5120,
        heads: 40,
        kvHeads: 8,
      },
      adapters: { count: 48, rank: 16, hiddenSize: 5120, layers: 64, targetsPerLayer: 4 },
      mode: 'inference',
    });
    const report = formatPlan(plan); // placements, then the arithmetic line by line
    // #endregion
    expect(plan.fits).toBe(true);
    expect(plan.gpuResident).toBe(true);
    // Base: 31.72e9 x 0.5 B + 31.72e9 / 32 x 2.5 B + 0.78e9 x 2 B = 19.9e9 B = 18.5 GiB.
    const base = plan.placements.find((p) => p.item === 'base weights')!;
    expect(base.where).toBe('gpu');
    expect(base.bytes / GiB).toBeCloseTo((31.72e9 * 0.5 + (31.72e9 / 32) * 2.5 + 0.78e9 * 2) / GiB, 6);
    // One adapter: 64 x 4 x 2 x 16 x 5120 = 41.9e6 params, 80 MiB in fp16; the library of 48 lives in RAM.
    expect(plan.adapterParameters).toBe(41_943_040);
    const library = plan.placements.find((p) => p.item.startsWith('adapter library'))!;
    expect(library).toMatchObject({ where: 'ram', bytes: 48 * 41_943_040 * 2 });
    // KV cache: 256 KiB per token x 8192 tokens = 2 GiB.
    expect(plan.placements.find((p) => p.item === 'KV cache')!.bytes).toBe(2 * GiB);
    expect(plan.gpuBytes).toBeLessThan(32 * GiB);
    expect(plan.lines.some((l) => l.includes('tokens/s at most'))).toBe(true);
    expect(report).toMatch(/fits/);

    const quzo = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: model32b,
      adapters: selves,
      mode: 'training-quzo',
    });
    expect(quzo.fits).toBe(true);
    expect(quzo.placements.some((p) => /gradients|moments/.test(p.item))).toBe(false);
  });

  it('contrasts first-order Adam: more GPU memory, and without checkpointing it does not fit', () => {
    const quzo = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: model32b,
      adapters: selves,
      mode: 'training-quzo',
    });
    const adam = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: model32b,
      adapters: selves,
      mode: 'training-adam',
    });
    expect(adam.fits).toBe(true);
    expect(adam.gpuBytes).toBeGreaterThan(quzo.gpuBytes + 1.5 * GiB);
    const noCheckpoint = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: model32b,
      adapters: selves,
      mode: 'training-adam',
      options: { activationCheckpointing: false, allowOffload: false },
    });
    expect(noCheckpoint.fits).toBe(false);
    expect(noCheckpoint.lines.at(-1)).toBe('fits: NO');
  });

  it('offloads Adam moments, streams base layers or spills the library to disk when a tier is full', () => {
    const small = { ...RTX_5090_WORKSTATION, gpus: [{ name: 'small GPU', memoryBytes: 20 * GiB }] };
    const adam = planMemory({ hardware: small, model: model32b, adapters: selves, mode: 'training-adam' });
    expect(adam.placements.find((p) => p.item === 'Adam moments (m, v)')!.where).toBe('ram');
    const big = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: { ...model32b, parameters: 72e9, layers: 80, hiddenSize: 8192, heads: 64 },
      adapters: selves,
      mode: 'inference',
    });
    expect(big.gpuResident).toBe(false);
    expect(big.placements.find((p) => p.item === 'base weights (streamed part)')!.where).toBe('ram');
    expect(big.lines.some((l) => l.includes('ms per pass'))).toBe(true);
    const tinyRam = planMemory({
      hardware: withRam(RTX_5090_WORKSTATION, 10 * GiB),
      model: model32b,
      adapters: { ...selves, count: 400 },
      mode: 'inference',
    });
    expect(tinyRam.placements.find((p) => p.item.startsWith('adapter library'))!.where).toBe('disk');
  });

  it('rejects impossible inputs', () => {
    expect(() =>
      planMemory({
        hardware: RTX_5090_WORKSTATION,
        model: { parameters: -1, bits: 4 },
        adapters: selves,
        mode: 'inference',
      }),
    ).toThrow(MemoryPlanError);
    expect(() =>
      planMemory({
        hardware: RTX_5090_WORKSTATION,
        model: model32b,
        adapters: selves,
        mode: 'sleep' as 'inference',
      }),
    ).toThrow(/mode must be/);
  });
});
