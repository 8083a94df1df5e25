import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../onnx/graph-builder';
import { createSession } from '../sessions/model-session';
import { matmul, relativeError } from './linear-algebra';
import { addQuantizedLinear } from './onnx-emit';
import { type QuantPlan, quantizeModel, type WeightMap } from './quantize-model';
import { SeededRandom } from './random';

const random = new SeededRandom(21);
const tokens = 128;
const embed = random.normals(8 * 32, 0.5);
// Two hidden channels carry massive activations.
for (let i = 0; i < 8; i++) {
  embed[i * 32 + 5] = 20;
  embed[i * 32 + 17] = -15;
}
const proj = random.normals(32 * 16, 0.2);
const inputs = random.normals(tokens * 8);
const hiddenRows = matmul(inputs, embed, tokens, 8, 32);

describe('quantizeModel', () => {
  it('rotates, quantizes, reports, and emits a layer onnxruntime runs', async () => {
    // #region quantize-pipeline
    const weights: WeightMap = new Map([
      ['embed.weight', { shape: [8, 32], data: embed }],
      ['proj.weight', { shape: [32, 16], data: proj }],
    ]);
    const plan: QuantPlan = {
      linears: ['proj.weight'],
      // proj reads the 32-d space embed writes: a rotation there folds into both.
      sites: [{ name: 'hidden', writers: ['embed.weight'], readers: ['proj.weight'] }],
    };
    const q = quantizeModel(weights, plan, {
      method: 'kurtail-splitquant',
      calibration: new Map([['proj.weight', hiddenRows]]), // proj's inputs, [tokens, 32]
    });
    const [layer] = q.report; // kurtosis before/after, relative output error, bytes

    const graph = new OnnxGraphBuilder('demo');
    const x = graph.input('x', 'float32', ['batch', 8]);
    const rotatedEmbed = q.weights.get('embed.weight')!.data;
    const h = graph.op('MatMul', [
      x,
      graph.initializer('embed', { type: 'float32', dims: [8, 32], data: rotatedEmbed }),
    ]);
    const y = addQuantizedLinear(graph, h, q.layers.get('proj.weight')!, { name: 'proj' }); // 3 x MatMulNBits
    graph.output(y, 'float32', ['batch', 16]);
    const session = await createSession(graph.toBytes(), { executionProvider: 'cpu' });
    const out = await session.run({ x: { type: 'float32', dims: [tokens, 8], data: inputs } });
    // #endregion
    await session.release();
    expect(layer?.kurtosisBefore).toBeGreaterThan(5);
    expect(layer?.kurtosisAfter).toBeLessThan(2);
    expect(layer?.bytesQuantized).toBeLessThan(layer?.bytesFloat32 as number);
    const exact = matmul(hiddenRows, proj, tokens, 32, 16);
    const error = relativeError(out[y]?.data as Float32Array, exact);
    expect(error).toBeLessThan(0.05);
    expect(error).toBeCloseTo(layer?.relativeOutputError as number, 4);
  });

  it('says what is wrong with a plan', () => {
    const weights: WeightMap = new Map([
      ['embed.weight', { shape: [8, 32], data: embed }],
      ['proj.weight', { shape: [32, 16], data: proj }],
    ]);
    const site = { name: 'hidden', writers: ['embed.weight'], readers: ['proj.weight'] };
    expect(() => quantizeModel(weights, { linears: ['nope'] }, { method: 'rtn' })).toThrow(
      /no tensor named "nope"/,
    );
    expect(() => quantizeModel(weights, { linears: [] }, { method: 'gptq' as never })).toThrow(
      /unknown method "gptq"/,
    );
    expect(() =>
      quantizeModel(weights, { linears: ['proj.weight'], sites: [site] }, { method: 'kurtail-rtn' }),
    ).toThrow(/KurTail needs calibration inputs/);
    const badSite = { ...site, writers: ['proj.weight'] };
    expect(() =>
      quantizeModel(weights, { linears: [], sites: [badSite] }, { method: 'hadamard-rtn' }),
    ).toThrow(/writer proj.weight has last dimension 16, not 32/);
    expect(() =>
      quantizeModel(weights, { linears: ['embed.weight'] }, { method: 'rtn', groupSize: 3.5 }),
    ).toThrow(/groupSize/);
  });
});
