import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../safetensors/safetensors';
import { createOutlierStack, stackCalibration, stackForward } from './outlier-stack';
import { quantizeModel } from './quantize-model';
import { readQuantizedModel, writeQuantizedModel } from './quantized-file';
import { dequantizeLinear } from './quantized-linear';

describe('quantized models as safetensors', () => {
  const stack = createOutlierStack({
    inputDim: 8,
    dim: 16,
    hidden: 32,
    layers: 1,
    outlierChannels: 1,
    trainTokens: 64,
    testTokens: 32,
  });
  const calibration = stackCalibration(stack, stack.train.x);

  it('round-trips codes, scales, zero points, rotations and online rotations', () => {
    const q = quantizeModel(stack.weights, stack.plan, { method: 'hadamard-splitquant', calibration });
    const bytes = writeQuantizedModel(q, { model: 'outlier-stack' });
    const back = readQuantizedModel(bytes);
    expect([...back.layers.keys()]).toEqual([...q.layers.keys()]);
    for (const [name, layer] of q.layers) {
      const loaded = back.layers.get(name);
      expect(loaded?.parts).toHaveLength(3);
      expect(loaded?.boundaries).toEqual(layer.boundaries);
      expect(dequantizeLinear(loaded!)).toEqual(dequantizeLinear(layer));
    }
    expect(back.rotations.get('residual')).toEqual(q.rotations.get('residual'));
    expect([...back.onlineRotations.keys()]).toEqual([...q.onlineRotations.keys()]);
    const run = (m: typeof q) =>
      stackForward(stack.config, m.weights, stack.test.x, {
        overrides: new Map([...m.layers].map(([n, l]) => [n, dequantizeLinear(l)])),
        onlineRotations: m.onlineRotations,
      });
    expect(run(back)).toEqual(run(q));
  });

  it('explains what is wrong with a file it cannot read', () => {
    const plain = writeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    expect(() => readQuantizedModel(plain)).toThrow(/not written by writeQuantizedModel/);
    const broken = writeSafetensors({}, { 'chimera.quant': '{"version":2}' });
    expect(() => readQuantizedModel(broken)).toThrow(/version 2/);
  });
});
