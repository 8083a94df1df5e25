import { describe, expect, it } from 'vitest';
import { createOutlierStack, distillationLoss, stackForward } from './outlier-stack';
import { quantizeModel } from './quantize-model';
import { dequantizeLinear, type QuantizedLinear } from './quantized-linear';
import { tuneScales } from './scale-tuning';

describe('PEQA-style scale fine-tuning with QuZO', () => {
  it("lowers the quantized model's held-out loss while the 4-bit codes stay frozen", async () => {
    const stack = createOutlierStack({
      inputDim: 16,
      dim: 32,
      hidden: 64,
      layers: 2,
      trainTokens: 512,
      testTokens: 256,
    });
    const { config } = stack;
    const classes = config.classes;
    // Per-channel RTN: the coarsest grid, so its absmax scales leave the most to recover.
    const q = quantizeModel(stack.weights, stack.plan, { method: 'rtn', groupSize: 'channel' });
    const layers = [...q.layers.values()];
    const forward = (x: Float32Array) =>
      stackForward(config, q.weights, x, {
        overrides: new Map([...q.layers].map(([n, l]) => [n, dequantizeLinear(l)])),
      });
    // The task: match the full-precision model's predictive distribution (distillation).
    const teacherTrain = stackForward(config, stack.weights, stack.train.x);
    const teacherTest = stackForward(config, stack.weights, stack.test.x);
    const testLoss = () => distillationLoss(forward(stack.test.x), teacherTest, classes);
    const batch = 64;
    const trainLoss = (step: number) => {
      const at = (step * batch) % config.trainTokens;
      const x = stack.train.x.subarray(at * config.inputDim, (at + batch) * config.inputDim);
      return distillationLoss(
        forward(x),
        teacherTrain.subarray(at * classes, (at + batch) * classes),
        classes,
      );
    };
    const frozen = (ls: QuantizedLinear[]) =>
      ls.flatMap((l) => l.parts.map((p) => [Array.from(p.codes), Array.from(p.zeroPoints)]));
    const codesBefore = frozen(layers);
    const scalesBefore = layers.map((l) => Float32Array.from(l.parts[0]?.scales ?? []));

    const before = testLoss();
    // #region tune-scales
    // trainLoss(step) runs the quantized model (dequantizing with the current scales) on a minibatch.
    const result = await tuneScales(layers, trainLoss, {
      steps: 120,
      lr: 0.05,
      eps: 0.01,
      perturbBits: 4,
      gradBits: 8,
      seed: 1,
      validationLoss: () => distillationLoss(forward(stack.train.x), teacherTrain, classes),
      evalEvery: 20,
    });
    // #endregion
    const after = testLoss();

    expect(result.parameters).toBe(2 * (64 + 32));
    expect(result.validation?.best).toBeLessThan(result.validation?.initial as number);
    // Observed: held-out loss about 4x lower after 120 steps.
    expect(after).toBeLessThan(0.8 * before);
    expect(frozen(layers)).toEqual(codesBefore);
    expect(layers.some((l, i) => l.parts[0]?.scales.some((s, j) => s !== scalesBefore[i]?.[j]))).toBe(true);
    expect(layers.every((l) => l.parts.every((p) => p.scales.every((s) => s > 0)))).toBe(true);
  });

  it('refuses an empty layer list', async () => {
    await expect(tuneScales([], () => 0, { steps: 1 })).rejects.toThrow(/at least one quantized layer/);
  });
});
