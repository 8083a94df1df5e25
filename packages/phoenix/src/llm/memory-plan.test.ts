/**
 * The memory plan docs/language-models.md quotes for running an 8B function-calling model (shaped
 * like Llama-xLAM-2-8b-fc-r: Llama 3.1 8B) with the roster's Selves as LoRA adapters on an RTX 5090,
 * from the runtime's planner. These are the planner's estimates, not measurements.
 */
import { formatPlan, planMemory, RTX_5090_WORKSTATION } from '@chimera/runtime-cuda';
import { describe, expect, it } from 'vitest';

describe('memory plan for an 8B model with Selves on an RTX 5090', () => {
  it('fits at 4 bits for inference and QuZO training, and at 16 bits for inference', () => {
    // #region memory-plan-8b
    const model = {
      name: 'Llama-xLAM-2-8b-fc-r (Llama 3.1 8B shape)',
      parameters: 8.03e9,
      bits: 4,
      // Token embeddings and the untied output head (128,256 x 4,096 each) stay at 16 bits.
      unquantizedParameters: 1.05e9,
      layers: 32,
      hiddenSize: 4096,
      heads: 32,
      kvHeads: 8,
    };
    const adapters = { count: 9, rank: 16, hiddenSize: 4096, layers: 32, targetsPerLayer: 4 };
    const inference = planMemory({ hardware: RTX_5090_WORKSTATION, model, adapters, mode: 'inference' });
    const report = formatPlan(inference); // placements, then the arithmetic line by line
    // #endregion
    expect(report).toMatch(/^memory plan: inference on RTX 5090 workstation -> fits/);
    const training = planMemory({ hardware: RTX_5090_WORKSTATION, model, adapters, mode: 'training-quzo' });
    const fp16 = planMemory({
      hardware: RTX_5090_WORKSTATION,
      model: { ...model, bits: 16 },
      adapters,
      mode: 'inference',
    });
    for (const plan of [inference, training, fp16]) {
      expect(plan.fits).toBe(true);
      expect(plan.gpuResident).toBe(true);
      expect(plan.gpuBytes).toBeLessThan(plan.gpuCapacityBytes);
    }
    // The numbers docs/language-models.md quotes.
    const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
    expect([inference, training, fp16].map((p) => gib(p.gpuBytes))).toEqual(['8.56', '7.65', '17.80']);
  });
});
