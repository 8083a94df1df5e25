import { afterAll, describe, expect, it } from 'vitest';
import { NanoPolicyModel } from '../nano/nano-policy-model';
import { candidateAccuracy } from '../nano/policy-loss';
import { relativeError } from './linear-algebra';
import { nanoSelectionTasks, quantizeNanoBase } from './nano-quant';

const models: NanoPolicyModel[] = [];
afterAll(async () => {
  for (const m of models) await m.release();
});
async function open(options: Parameters<typeof NanoPolicyModel.create>[0]) {
  const m = await NanoPolicyModel.create(options);
  models.push(m);
  return m;
}
const flat = (rows: Float32Array[]) => Float32Array.from(rows.flatMap((r) => [...r]));

describe('quantizing chimera-nano', async () => {
  const fp = await open({});
  const lora = fp.createLora(3);
  const test = nanoSelectionTasks(120, 2);
  const targets = test.map((t) => t.target);
  const reference = flat(fp.referenceScore(test, lora).logits);
  const calibration = fp.prepare(nanoSelectionTasks(100, 1));

  it('the rotated full-precision nano equals the original', async () => {
    const q = quantizeNanoBase(fp.baseWeights(), {
      method: 'kurtail-rtn',
      calibration,
      kurtail: { steps: 15, maxTokens: 256 },
    });
    const site = q.model.sites[0];
    expect(site?.kurtosis.learned).toBeLessThan(site?.kurtosis.hadamard as number);
    const rotated = await open({ baseWeights: q.baseWeights });
    expect(relativeError(flat(rotated.referenceScore(test, lora).logits), reference)).toBeLessThan(1e-5);
    expect(relativeError(flat((await rotated.score(test, lora)).logits), reference)).toBeLessThan(1e-5);
  });

  it('runs 4-bit MatMulNBits projections through the model seam, matching the dequantized reference', async () => {
    // #region nano-quantized-base
    const base = fp.baseWeights(); // fp: a float NanoPolicyModel
    const q = quantizeNanoBase(base, {
      method: 'kurtail-rtn',
      calibration: fp.prepare(nanoSelectionTasks(40, 1)),
    });
    // The rotated embedding goes in baseWeights, the 4-bit projections (MatMulNBits) in quantizedBase.
    const quantized = await NanoPolicyModel.create({
      baseWeights: q.baseWeights,
      quantizedBase: q.quantizedBase,
    });
    // #endregion
    models.push(quantized);
    expect(q.quantizedBase).toBeDefined();
    const onnx = flat((await quantized.score(test, lora)).logits);
    const simulated = await open({ baseWeights: q.dequantizedBase });
    expect(relativeError(onnx, flat(simulated.referenceScore(test, lora).logits))).toBeLessThan(1e-5);
    expect(relativeError(onnx, reference)).toBeGreaterThan(1e-3);
  });

  it('SplitQuantV2 halves the logit error of RTN and keeps the task accuracy', async () => {
    const error = async (method: 'rtn' | 'splitquant') => {
      const q = quantizeNanoBase(fp.baseWeights(), { method });
      if (method === 'splitquant') {
        expect(q.quantizedBase).toBeUndefined();
        expect(q.parts.mlp1).toHaveLength(3);
      }
      const m = await open({ baseWeights: q.dequantizedBase });
      const logits = m.referenceScore(test, lora).logits;
      return { error: relativeError(flat(logits), reference), accuracy: candidateAccuracy(logits, targets) };
    };
    const rtn = await error('rtn');
    const split = await error('splitquant');
    expect(split.error).toBeLessThan(0.75 * rtn.error);
    expect(split.accuracy).toBeGreaterThanOrEqual(
      candidateAccuracy(fp.referenceScore(test, lora).logits, targets) - 0.02,
    );
  });
});
