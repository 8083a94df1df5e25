import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../onnx/graph-builder';
import { createSession } from './model-session';
import { RuntimeCudaError } from './runtime-cuda-error';
import { SessionError } from './session-error';

function addOne(): Uint8Array {
  const g = new OnnxGraphBuilder('add-one');
  g.input('x', 'float32', ['n']);
  g.initializer('one', { type: 'float32', dims: [], data: [1] });
  g.node('Add', ['x', 'one'], ['y']);
  g.output('y', 'float32', ['n']);
  return g.toBytes();
}

describe('createSession', () => {
  it('runs on CPU when asked', async () => {
    const session = await createSession(addOne(), { executionProvider: 'cpu' });
    expect(session.providerUsed).toBe('cpu');
    expect(session.fallbackReason).toBeUndefined();
    expect(session.inputNames).toEqual(['x']);
    const out = await session.run({ x: { type: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) } });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2, 3, 4]);
    await session.release();
  });

  it('falls back from CUDA to CPU with a logged reason when the CUDA provider cannot load', async () => {
    const logged: string[] = [];
    const modelBytes = addOne();
    // #region session-fallback
    const session = await createSession(modelBytes, {
      executionProvider: 'auto',
      logger: (m) => logged.push(m),
    });
    // session.providerUsed is 'cuda' where its libraries load; otherwise 'cpu', with session.fallbackReason
    // #endregion
    if (process.env.CHIMERA_EXPECT_CUDA === '1') {
      expect(session.providerUsed).toBe('cuda');
    } else {
      expect(session.providerUsed).toBe('cpu');
      expect(session.fallbackReason).toMatch(/CUDA execution provider unavailable/);
      expect(logged).toEqual([session.fallbackReason]);
      // The fallback session really runs.
      const out = await session.run({ x: { type: 'float32', dims: [1], data: Float32Array.of(41) } });
      expect(out.y!.data[0]).toBe(42);
      // requireCuda turns the fallback into an error.
      const strict = createSession(addOne(), { executionProvider: 'cuda', requireCuda: true });
      await expect(strict).rejects.toThrow(SessionError);
    }
    await session.release();
  });

  it('gives clear errors for bad models, bad feeds and use after release', async () => {
    await expect(createSession(Uint8Array.of(1, 2, 3), { executionProvider: 'cpu' })).rejects.toThrow(
      /could not load the model \(3 bytes\)/,
    );
    const session = await createSession(addOne(), { executionProvider: 'cpu' });
    await expect(session.run({})).rejects.toThrow(/missing x/);
    await expect(
      session.run({
        x: { type: 'float32', dims: [1], data: Float32Array.of(1) },
        z: { type: 'float32', dims: [], data: Float32Array.of(1) },
      }),
    ).rejects.toThrow(/unknown z/);
    const wrongType = session.run({ x: { type: 'int32', dims: [1], data: Int32Array.of(1) } });
    await expect(wrongType).rejects.toThrow(/x: int32\[1\]/);
    await session.release();
    const after = session.run({ x: { type: 'float32', dims: [1], data: Float32Array.of(1) } });
    await expect(after).rejects.toThrow(/after release/);
    const error = await after.catch((e: unknown) => e);
    expect(RuntimeCudaError.isInstance(error)).toBe(true);
    expect(SessionError.isInstance(error)).toBe(true);
    await expect(createSession(addOne(), { executionProvider: 'tpu' as 'cpu' })).rejects.toThrow(
      /'cpu', 'cuda' or 'auto'/,
    );
  });
});
