import { describe, expect, it } from 'vitest';
import { quantizeMatMulNBitsRtn } from '../onnx/matmul-nbits';
import { NanoModelError } from './nano-error';
import { NanoPolicyModel } from './nano-policy-model';

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  }
  return err / scale;
}

const batch = [
  {
    context: 'Click the Place order button',
    candidates: ['click e1 button "Place order"', 'click e2 button "Cancel"', 'click e3 link "Home"'],
  },
  {
    context: {
      goal: 'Pick the shirt that is not red',
      self: 'shopper',
      observation: 'Shirts: red shirt, blue shirt',
      history: ['click e4 link "Shirts"'],
    },
    candidates: ['click e5 button "red shirt"', 'click e6 button "blue shirt"'],
  },
  { context: 'An empty group', candidates: [] },
];

describe('NanoPolicyModel', () => {
  it('scores the candidates of a decision', async () => {
    // #region nano-score
    const model = await NanoPolicyModel.create({ seed: 1 }); // frozen base from the seed, ONNX session on CPU
    const self = model.createLora(); // LoRA factors + value head + lexical weights: graph inputs
    const { logits, values } = await model.score(
      [
        {
          context: {
            goal: 'Sign in as alice',
            self: 'web-forms',
            observation: 'Login page: user field, password field',
          },
          candidates: ['type e4 "alice" into "User"', 'click e9 link "Help"', 'click e2 button "Sign in"'],
        },
      ],
      self,
    );
    // logits[0]: one score per candidate; values[0]: the value head's estimate for this context
    // #endregion
    expect(logits[0]!.length).toBe(3);
    expect(logits[0]![0]).toBeGreaterThan(logits[0]![1]!);
    expect(values.length).toBe(1);
    await model.release();
  });

  it('agrees with the plain TypeScript forward (relative error < 1e-5, float32)', async () => {
    const model = await NanoPolicyModel.create({ config: { ranks: { mlp1: 2, mlp2: 4, query: 8, key: 3 } } });
    const lora = model.createLora(3);
    // Non-zero B factors, value head and lexical deltas, so every adapter path is exercised.
    let i = 0;
    for (const p of lora.parameters()) for (let j = 0; j < p.length; j++) p[j]! += Math.sin(++i * 1.7) * 0.2;
    const onnx = await model.score(batch, lora);
    const reference = model.referenceScore(batch, lora);
    expect(onnx.logits.map((l) => l.length)).toEqual([3, 2, 0]);
    for (let g = 0; g < 2; g++)
      expect(maxRelativeError(onnx.logits[g]!, reference.logits[g]!)).toBeLessThan(1e-5);
    expect(maxRelativeError(onnx.values, reference.values)).toBeLessThan(1e-5);
    // The adapter matters: a fresh one gives different scores.
    const fresh = await model.score(batch, model.createLora(3));
    expect(maxRelativeError(fresh.logits[0]!, onnx.logits[0]!)).toBeGreaterThan(1e-3);
    await model.release();
  });

  it('runs with 4-bit MatMulNBits base projections and still agrees with its reference', async () => {
    const float = await NanoPolicyModel.create();
    const w = float.baseWeights();
    // #region nano-quantized-base
    const quantized = await NanoPolicyModel.create({
      quantizedBase: {
        mlp1: quantizeMatMulNBitsRtn(w.mlp1.data, w.mlp1.rows, w.mlp1.cols, 32),
        mlp2: quantizeMatMulNBitsRtn(w.mlp2.data, w.mlp2.rows, w.mlp2.cols, 32),
        out: quantizeMatMulNBitsRtn(w.out.data, w.out.rows, w.out.cols, 32),
      },
    });
    // #endregion
    const lora = quantized.createLora(2);
    for (const p of lora.parameters()) for (let j = 0; j < p.length; j++) p[j]! += Math.cos(j) * 0.1;
    const onnx = await quantized.score(batch, lora);
    const reference = quantized.referenceScore(batch, lora);
    for (let g = 0; g < 2; g++)
      expect(maxRelativeError(onnx.logits[g]!, reference.logits[g]!)).toBeLessThan(1e-5);
    // 4-bit weights move the scores a little, not the ranking of the named button.
    const floatScores = await float.score(batch, lora);
    const diff = maxRelativeError(onnx.logits[0]!, floatScores.logits[0]!);
    expect(diff).toBeGreaterThan(1e-6);
    expect(diff).toBeLessThan(0.1);
    expect(onnx.logits[0]![0]).toBeGreaterThan(Math.max(onnx.logits[0]![1]!, onnx.logits[0]![2]!));
    await Promise.all([float.release(), quantized.release()]);
  });

  it('is deterministic in its seed and ranks the named button first before any training', async () => {
    const a = await NanoPolicyModel.create({ seed: 11 });
    const b = await NanoPolicyModel.create({ seed: 11 });
    const c = await NanoPolicyModel.create({ seed: 12 });
    const sa = await a.score(batch, a.createLora());
    const sb = await b.score(batch, b.createLora());
    const sc = await c.score(batch, c.createLora());
    expect(Array.from(sa.logits[0]!)).toEqual(Array.from(sb.logits[0]!));
    expect(Array.from(sa.logits[0]!)).not.toEqual(Array.from(sc.logits[0]!));
    const first = sa.logits[0]!;
    expect(first[0]).toBeGreaterThan(Math.max(first[1]!, first[2]!));
    // A fresh adapter has a zero value head.
    expect(Array.from(sa.values)).toEqual([0, 0, 0]);
    await Promise.all([a.release(), b.release(), c.release()]);
  });

  it('rejects bad configs, adapters and batches with clear errors', async () => {
    await expect(NanoPolicyModel.create({ config: { ranks: { attention: 4 } as never } })).rejects.toThrow(
      /unknown projection "attention"/,
    );
    await expect(NanoPolicyModel.create({ config: { dim: 0 } })).rejects.toThrow(NanoModelError);
    const model = await NanoPolicyModel.create({ config: { dim: 16, buckets: 256 } });
    const lora = model.createLora();
    expect(() => model.loraFrom({ 'query.lora_a': new Float32Array(3) })).toThrow(/query.lora_a/);
    await expect(model.score([{ context: 42 as never, candidates: ['a'] }], lora)).rejects.toThrow(
      /batch\[0\].context must be a string/,
    );
    await expect(model.score([{ context: 'x', candidates: [7 as never] }], lora)).rejects.toThrow(
      /candidates\[0\] must be a string/,
    );
    const other = await NanoPolicyModel.create({ config: { dim: 8, buckets: 256 } });
    await expect(model.score(batch, other.createLora())).rejects.toThrow(/needs \[16/);
    await Promise.all([model.release(), other.release()]);
  });
});
