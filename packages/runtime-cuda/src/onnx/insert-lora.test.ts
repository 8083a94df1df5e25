import { describe, expect, it } from 'vitest';
import { createSession } from '../sessions/model-session';
import { OnnxGraphBuilder } from './graph-builder';
import { insertLora } from './insert-lora';
import { OnnxGraphError } from './onnx-graph-error';

function seeded(n: number, seed: number, amplitude = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * amplitude;
  }
  return out;
}

function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) out[i * n + j]! += av * b[p * n + j]!;
    }
  return out;
}

const d = 8;
const hidden = 12;
const weights = {
  q: seeded(d * hidden, 1),
  v: seeded(hidden * d, 2),
  mlp: seeded(d * d, 3),
};

/** Two "layers" (q_proj then v_proj, with a ReLU between) and an MLP MatMul that is not adapted. */
function twoLayerModel(): Uint8Array {
  const g = new OnnxGraphBuilder('two-layer');
  g.input('x', 'float32', ['batch', d]);
  g.initializer('layers.0.attn.q_proj.weight', { type: 'float32', dims: [d, hidden], data: weights.q });
  g.initializer('layers.1.attn.v_proj.weight', { type: 'float32', dims: [hidden, d], data: weights.v });
  g.initializer('layers.1.mlp.weight', { type: 'float32', dims: [d, d], data: weights.mlp });
  const h = g.op('Relu', [g.op('MatMul', ['x', 'layers.0.attn.q_proj.weight'])]);
  const v = g.op('MatMul', [h, 'layers.1.attn.v_proj.weight']);
  g.node('MatMul', [v, 'layers.1.mlp.weight'], ['y']);
  g.output('y', 'float32', ['batch', d]);
  return g.toBytes();
}

/** The same computation in TypeScript, with optional LoRA deltas on q and v (scale * x A B). */
function reference(
  x: Float32Array,
  batch: number,
  lora?: {
    qa: Float32Array;
    qb: Float32Array;
    va: Float32Array;
    vb: Float32Array;
    rank: number;
    scale: number;
  },
): Float64Array {
  const q = matmul(x, weights.q, batch, d, hidden);
  if (lora) {
    const delta = matmul(matmul(x, lora.qa, batch, d, lora.rank), lora.qb, batch, lora.rank, hidden);
    for (let i = 0; i < q.length; i++) q[i]! += lora.scale * delta[i]!;
  }
  const h = q.map((value) => Math.max(0, value));
  const v = matmul(h, weights.v, batch, hidden, d);
  if (lora) {
    const delta = matmul(matmul(h, lora.va, batch, hidden, lora.rank), lora.vb, batch, lora.rank, d);
    for (let i = 0; i < v.length; i++) v[i]! += lora.scale * delta[i]!;
  }
  return matmul(v, weights.mlp, batch, d, d);
}

describe('insertLora', () => {
  it('adds LoRA inputs to the matched MatMul nodes; zero lora_B gives the original outputs exactly', async () => {
    const original = twoLayerModel();
    // #region insert-lora
    const { model, adapters } = insertLora(original, { targets: /attn.*(q|v)_proj/ });
    // adapters[0].inputs = { a: 'layers.0.attn.q_proj.lora_A', b: 'layers.0.attn.q_proj.lora_B' }
    // #endregion
    expect(adapters.map((a) => [a.adapter, a.inFeatures, a.outFeatures])).toEqual([
      ['layers.0.attn.q_proj', d, hidden],
      ['layers.1.attn.v_proj', hidden, d],
    ]);
    const before = await createSession(original, { executionProvider: 'cpu' });
    const after = await createSession(model, { executionProvider: 'cpu' });
    expect([...after.inputNames].sort()).toEqual(
      [
        'x',
        'layers.0.attn.q_proj.lora_A',
        'layers.0.attn.q_proj.lora_B',
        'layers.1.attn.v_proj.lora_A',
        'layers.1.attn.v_proj.lora_B',
      ].sort(),
    );
    const batch = 3;
    const rank = 2;
    const x = { type: 'float32', dims: [batch, d], data: seeded(batch * d, 7) };
    const zeroAdapters = {
      'layers.0.attn.q_proj.lora_A': { type: 'float32', dims: [d, rank], data: seeded(d * rank, 8) },
      'layers.0.attn.q_proj.lora_B': {
        type: 'float32',
        dims: [rank, hidden],
        data: new Float32Array(rank * hidden),
      },
      'layers.1.attn.v_proj.lora_A': {
        type: 'float32',
        dims: [hidden, rank],
        data: seeded(hidden * rank, 9),
      },
      'layers.1.attn.v_proj.lora_B': { type: 'float32', dims: [rank, d], data: new Float32Array(rank * d) },
    };
    const y0 = (await before.run({ x })).y!.data as Float32Array;
    const y1 = (await after.run({ x, ...zeroAdapters })).y!.data as Float32Array;
    expect(Array.from(y1)).toEqual(Array.from(y0));
    await before.release();
    await after.release();
  });

  it('matches a TypeScript reference with random factors, any rank, and a stored scale', async () => {
    const { model } = insertLora(twoLayerModel(), {
      targets: ['MatMul_0', 'MatMul_2'],
      scale: 0.5,
    });
    const session = await createSession(model, { executionProvider: 'cpu' });
    for (const [rank, batch] of [
      [2, 3],
      [5, 1],
    ] as const) {
      const x = seeded(batch * d, 20 + rank);
      const lora = {
        qa: seeded(d * rank, 30 + rank),
        qb: seeded(rank * hidden, 40 + rank),
        va: seeded(hidden * rank, 50 + rank),
        vb: seeded(rank * d, 60 + rank),
        rank,
        scale: 0.5,
      };
      const y = (
        await session.run({
          x: { type: 'float32', dims: [batch, d], data: x },
          'layers.0.attn.q_proj.lora_A': { type: 'float32', dims: [d, rank], data: lora.qa },
          'layers.0.attn.q_proj.lora_B': { type: 'float32', dims: [rank, hidden], data: lora.qb },
          'layers.1.attn.v_proj.lora_A': { type: 'float32', dims: [hidden, rank], data: lora.va },
          'layers.1.attn.v_proj.lora_B': { type: 'float32', dims: [rank, d], data: lora.vb },
        })
      ).y!.data as Float32Array;
      const expected = reference(x, batch, lora);
      const plain = reference(x, batch);
      let err = 0;
      let moved = 0;
      for (let i = 0; i < expected.length; i++) {
        err = Math.max(err, Math.abs(y[i]! - expected[i]!));
        moved = Math.max(moved, Math.abs(expected[i]! - plain[i]!));
      }
      expect(err).toBeLessThan(1e-5);
      // The adapters really changed the output (the comparison above is not against the base model).
      expect(moved).toBeGreaterThan(1e-2);
    }
    await session.release();
  });

  it("takes the scale as a graph input with scale: 'input'", async () => {
    const { model, adapters } = insertLora(twoLayerModel(), { targets: ['MatMul_0'], scale: 'input' });
    expect(adapters[0]!.inputs.scale).toBe('layers.0.attn.q_proj.lora_scale');
    const session = await createSession(model, { executionProvider: 'cpu' });
    const rank = 3;
    const x = seeded(2 * d, 70);
    const qa = seeded(d * rank, 71);
    const qb = seeded(rank * hidden, 72);
    const run = async (scale: number) =>
      (
        await session.run({
          x: { type: 'float32', dims: [2, d], data: x },
          'layers.0.attn.q_proj.lora_A': { type: 'float32', dims: [d, rank], data: qa },
          'layers.0.attn.q_proj.lora_B': { type: 'float32', dims: [rank, hidden], data: qb },
          'layers.0.attn.q_proj.lora_scale': { type: 'float32', dims: [], data: Float32Array.of(scale) },
        })
      ).y!.data as Float32Array;
    const y = await run(2);
    const expected = reference(x, 2, {
      qa,
      qb,
      va: new Float32Array(hidden * rank),
      vb: new Float32Array(rank * d),
      rank,
      scale: 2,
    });
    for (let i = 0; i < expected.length; i++) expect(Math.abs(y[i]! - expected[i]!)).toBeLessThan(1e-5);
    const base = await createSession(twoLayerModel(), { executionProvider: 'cpu' });
    const original = (await base.run({ x: { type: 'float32', dims: [2, d], data: x } })).y!
      .data as Float32Array;
    expect(Array.from(await run(0))).toEqual(Array.from(original));
    await base.release();
    await session.release();
  });

  it('names what is wrong: a missing node, a node that is not a MatMul, a pattern matching nothing, damaged bytes', () => {
    const model = twoLayerModel();
    expect(() => insertLora(model, { targets: ['layers.0/q_proj/MatMul'] })).toThrow(
      /no node named "layers.0\/q_proj\/MatMul"; its MatMul nodes: "MatMul_0" \(weight "layers.0.attn.q_proj.weight"\)/,
    );
    expect(() => insertLora(model, { targets: ['Relu_1'] })).toThrow(/"Relu_1" is a Relu, not a MatMul/);
    expect(() => insertLora(model, { targets: /k_proj/ })).toThrow(/no MatMul node matches \/k_proj\//);
    const once = insertLora(model, { targets: ['MatMul_0'] }).model;
    expect(() => insertLora(once, { targets: ['MatMul_0'] })).toThrow(
      /already has a value named .*inserted twice/,
    );
    const error = (() => {
      try {
        insertLora(model.subarray(0, model.length - 100), { targets: ['MatMul_0'] });
      } catch (e) {
        return e;
      }
    })();
    expect(OnnxGraphError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/truncated/);
  });
});
