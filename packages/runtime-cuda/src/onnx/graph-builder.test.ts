import { describe, expect, it } from 'vitest';
import { createSession } from '../sessions/model-session';
import { OnnxGraphBuilder, onnxAttribute } from './graph-builder';
import { OnnxGraphError } from './onnx-graph-error';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) out[i * n + j]! += av * b[p * n + j]!;
    }
  return out;
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let err = 0;
  for (let i = 0; i < expected.length; i++) err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  return err / scale;
}

describe('OnnxGraphBuilder', () => {
  it('builds a LoRA layer whose factors are graph inputs with a symbolic rank, matching a TS reference', async () => {
    // #region lora-layer
    const d = 16;
    const g = new OnnxGraphBuilder('lora-layer');
    g.input('x', 'float32', ['batch', d]);
    g.input('lora_a', 'float32', [d, 'rank']);
    g.input('lora_b', 'float32', ['rank', d]);
    g.initializer('w', { type: 'float32', dims: [d, d], data: seeded(d * d, 1) });
    const base = g.op('MatMul', ['x', 'w']);
    const delta = g.op('MatMul', [g.op('MatMul', ['x', 'lora_a']), 'lora_b']);
    g.node('Tanh', [g.op('Add', [base, delta])], ['y']);
    g.output('y', 'float32', ['batch', d]);
    const session = await createSession(g.toBytes(), { executionProvider: 'cpu' });
    const run = (rank: number, x: Float32Array) =>
      session.run({
        x: { type: 'float32', dims: [x.length / d, d], data: x },
        lora_a: { type: 'float32', dims: [d, rank], data: seeded(d * rank, 2) },
        lora_b: { type: 'float32', dims: [rank, d], data: seeded(rank * d, 3) },
      });
    // #endregion
    for (const [rank, batch] of [
      [4, 3],
      [8, 5],
    ] as const) {
      const x = seeded(batch * d, 10 + rank);
      const y = (await run(rank, x)).y!;
      const base = matmul(x, seeded(d * d, 1), batch, d, d);
      const delta = matmul(
        matmul(x, seeded(d * rank, 2), batch, d, rank),
        seeded(rank * d, 3),
        batch,
        rank,
        d,
      );
      const expected = base.map((v, i) => Math.tanh(v + delta[i]!));
      expect(y.dims).toEqual([batch, d]);
      expect(maxRelativeError(y.data as Float32Array, expected)).toBeLessThan(1e-5);
    }
    await session.release();
  });

  it('encodes typed attributes, int64 initializers and negative ints', async () => {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float32', [2, 3]);
    g.initializer('shape', { type: 'int64', dims: [2], data: [3, -1] });
    const reshaped = g.op('Reshape', ['x', 'shape']);
    const gemm = g.op('Gemm', [reshaped, reshaped], { alpha: onnxAttribute.float(2), transB: 1 });
    g.node('ReduceSum', [gemm], ['y'], { axes: [-1], keepdims: 0 }, '');
    g.output('y', 'float32', [3]);
    // ReduceSum takes axes as an input since opset 13: an attribute is rejected, proving attributes reach the runtime.
    await expect(createSession(g.toBytes(), { executionProvider: 'cpu' })).rejects.toThrow(/axes|ReduceSum/);

    const ok = new OnnxGraphBuilder();
    ok.input('x', 'float32', [2, 3]);
    ok.initializer('shape', { type: 'int64', dims: [2], data: [3, -1] });
    const r = ok.op('Reshape', ['x', 'shape']);
    ok.node('Gemm', [r, r], ['y'], { alpha: onnxAttribute.float(2), beta: 0.5, transB: 1 });
    ok.output('y', 'float32', [3, 3]);
    const session = await createSession(ok.toBytes(), { executionProvider: 'cpu' });
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const y = (await session.run({ x: { type: 'float32', dims: [2, 3], data: x } })).y!;
    // x reshaped to [3, 2] = [[1,2],[3,4],[5,6]]; 2 * r @ r^T
    expect(Array.from(y.data as Float32Array)).toEqual([10, 22, 34, 22, 50, 78, 34, 78, 122]);
    await session.release();
  });

  it('rejects malformed graphs with a message naming the problem', () => {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float32', [2]);
    expect(() => g.input('x', 'float32', [2])).toThrow(/already defined/);
    expect(() => g.node('Relu', ['nope'], ['y'])).toThrow(/reads "nope", which is not defined yet/);
    expect(() => g.initializer('w', { type: 'float32', dims: [2, 2], data: new Float32Array(3) })).toThrow(
      /needs 4 values, got 3/,
    );
    expect(() => g.initializer('w', { type: 'int64', dims: [1], data: new Float32Array(1) })).toThrow(
      /BigInt64Array/,
    );
    g.output('z', 'float32', [2]);
    expect(() => g.toBytes()).toThrow(/no node produces it/);
    g.node('Relu', ['x'], ['z'], {}, 'com.example');
    expect(() => g.toBytes()).toThrow(/domain "com.example"/);
    expect(() => g.toBytes({ opsetImports: { '': 17, 'com.example': 1 } })).not.toThrow();
    expect(OnnxGraphError.isInstance(new OnnxGraphError('x'))).toBe(true);
  });
});
