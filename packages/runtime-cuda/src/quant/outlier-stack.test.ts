/**
 * The comparison on the synthetic outlier stack, at test size (d = 32, two massive channels). The
 * claims asserted are the ones observed here and in bench/quantization.bench.ts at full size:
 * rotations leave the float model unchanged; SplitQuantV2 cuts weight-only error; KurTail is what
 * rescues 4-bit activations; the hybrid beats RTN clearly in both regimes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../sessions/model-session';
import { relativeError } from './linear-algebra';
import {
  accuracy,
  buildOutlierStackGraph,
  createOutlierStack,
  type StackForwardOptions,
  stackCalibration,
  stackForward,
} from './outlier-stack';
import { type QuantizedModel, type QuantMethod, quantizeModel } from './quantize-model';
import { dequantizeLinear } from './quantized-linear';

const stack = createOutlierStack({
  inputDim: 16,
  dim: 32,
  hidden: 64,
  layers: 2,
  outlierChannels: 2,
  trainTokens: 256,
  testTokens: 256,
});
const { config } = stack;
const calibration = stackCalibration(stack, stack.train.x);
const reference = stackForward(config, stack.weights, stack.test.x);
const models = new Map<QuantMethod, QuantizedModel>();

function quantizedForward(q: QuantizedModel, activationBits?: number, x = stack.test.x): Float32Array {
  const options: StackForwardOptions = {
    overrides: new Map([...q.layers].map(([name, layer]) => [name, dequantizeLinear(layer)])),
    onlineRotations: q.onlineRotations,
    quantizedInputs: new Set(stack.plan.linears),
    ...(activationBits === undefined ? {} : { activationBits }),
  };
  return stackForward(config, q.weights, x, options);
}

beforeAll(() => {
  for (const method of ['rtn', 'splitquant', 'kurtail-rtn', 'hadamard-rtn'] as const) {
    models.set(
      method,
      quantizeModel(stack.weights, stack.plan, {
        method,
        calibration,
        kurtail: { steps: 25, maxTokens: 512 },
      }),
    );
  }
  // A learned rotation depends only on the calibration: reuse it for the hybrid.
  const rotations = (models.get('kurtail-rtn') as QuantizedModel).rotations;
  models.set(
    'kurtail-splitquant',
    quantizeModel(stack.weights, stack.plan, { method: 'kurtail-splitquant', calibration, rotations }),
  );
});

describe('synthetic outlier stack', () => {
  it('has the outliers it claims: heavy-tailed inputs to the first block', () => {
    expect(new Set(stack.test.labels).size).toBeGreaterThan(4);
    expect(models.get('rtn')?.report[0]?.kurtosisBefore).toBeGreaterThan(8);
  });

  it('rotated full-precision model equals the original within float tolerance', () => {
    for (const method of ['kurtail-rtn', 'hadamard-rtn'] as const) {
      const q = models.get(method) as QuantizedModel;
      const rotated = stackForward(config, q.weights, stack.test.x, { onlineRotations: q.onlineRotations });
      expect(relativeError(rotated, reference)).toBeLessThan(1e-5);
      for (const site of q.sites)
        expect(site.kurtosis.learned ?? site.kurtosis.hadamard).toBeLessThan(site.kurtosis.original);
    }
  });

  it('KurTail flattens the residual stream more than a random Hadamard rotation', () => {
    const learned = models.get('kurtail-rtn')?.sites.find((s) => s.site === 'residual');
    expect(learned?.kurtosis.learned).toBeLessThan(learned?.kurtosis.hadamard as number);
  });

  it('weight-only 4-bit: SplitQuantV2 and the hybrid beat RTN', () => {
    const error = (m: QuantMethod) =>
      relativeError(quantizedForward(models.get(m) as QuantizedModel), reference);
    expect(error('splitquant')).toBeLessThan(0.5 * error('rtn'));
    expect(error('kurtail-splitquant')).toBeLessThan(0.75 * error('rtn'));
  });

  it('W4A4: KurTail rescues the activations and the hybrid beats RTN clearly', () => {
    const run = (m: QuantMethod) => quantizedForward(models.get(m) as QuantizedModel, 4);
    const error = (m: QuantMethod) => relativeError(run(m), reference);
    const correct = (m: QuantMethod) => accuracy(run(m), stack.test.labels, config.classes);
    // Observed: RTN 0.12, SplitQuantV2 0.11, KurTail + RTN 0.07, hybrid 0.07.
    expect(error('kurtail-rtn')).toBeLessThan(0.75 * error('rtn'));
    expect(error('kurtail-splitquant')).toBeLessThan(0.7 * error('rtn'));
    expect(correct('kurtail-splitquant')).toBeGreaterThan(correct('rtn'));
  });

  it('onnxruntime runs the quantized graphs and matches the TypeScript forward', async () => {
    const run = async (q: QuantizedModel, format: 'matmulnbits' | 'dequantize-linear', bits?: number) => {
      const bytes = buildOutlierStackGraph(stack, {
        quantized: q,
        format,
        ...(bits ? { activationBits: bits } : {}),
      });
      // At optimization level "all" onnxruntime fuses DequantizeLinear + MatMul into MatMulNBits with
      // int8 activations (accuracy level 4) unless told otherwise.
      const sessionOptions = { extra: { session: { qdq_matmulnbits_accuracy_level: '0' } } };
      const session = await createSession(bytes, { executionProvider: 'cpu', sessionOptions });
      const out = await session.run({
        x: { type: 'float32', dims: [config.testTokens, config.inputDim], data: stack.test.x },
      });
      await session.release();
      return out.logits?.data as Float32Array;
    };
    const hybrid = models.get('kurtail-splitquant') as QuantizedModel;
    const rtn = models.get('rtn') as QuantizedModel;
    // Weight-only: three MatMulNBits per SplitQuantV2 layer, or DequantizeLinear (uint4, opset 21) + MatMul.
    expect(relativeError(await run(hybrid, 'matmulnbits'), quantizedForward(hybrid))).toBeLessThan(1e-5);
    expect(relativeError(await run(rtn, 'dequantize-linear'), quantizedForward(rtn))).toBeLessThan(1e-5);
    // With 4-bit activations, float32 (onnxruntime) and float64 (TypeScript) rounding can land a value
    // on either side of a grid midpoint, so a few activations differ by one step: same quality, not
    // bit-identical.
    const ort = await run(hybrid, 'matmulnbits', 4);
    const js = quantizedForward(hybrid, 4);
    expect(relativeError(ort, js)).toBeLessThan(0.02);
    expect(Math.abs(relativeError(ort, reference) - relativeError(js, reference))).toBeLessThan(0.01);
  });
});
