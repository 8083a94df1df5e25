import { describe, expect, it } from 'vitest';
import { createSession } from '../sessions/model-session';
import { OnnxGraphBuilder } from './graph-builder';
import {
  addMatMulNBits,
  dequantizeMatMulNBits,
  packMatMulNBits,
  quantizeMatMulNBitsRtn,
} from './matmul-nbits';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

describe('MatMulNBits (4-bit, block 32, accuracy level 0)', () => {
  it('matches a matmul with the dequantized weight', async () => {
    // K = 80 is not a multiple of the block: the last block is padded.
    const [m, k, n] = [5, 80, 24];
    const weight = seeded(k * n, 7);
    // #region matmul-nbits
    const quantized = quantizeMatMulNBitsRtn(weight, k, n, 32); // W [K, N] -> 4-bit codes, scales, zero points
    const g = new OnnxGraphBuilder('q4-linear');
    g.input('x', 'float32', ['batch', k]);
    addMatMulNBits(g, 'x', packMatMulNBits(quantized), { name: 'proj', output: 'y', accuracyLevel: 0 });
    g.output('y', 'float32', ['batch', n]);
    const session = await createSession(g.toBytes({ opsetImports: { '': 17, 'com.microsoft': 1 } }));
    // #endregion
    const x = seeded(m * k, 8);
    const y = (await session.run({ x: { type: 'float32', dims: [m, k], data: x } })).y!.data as Float32Array;
    const w = dequantizeMatMulNBits(quantized);
    let maxErr = 0;
    let scale = 0;
    let quantErr = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let ref = 0;
        let exact = 0;
        for (let p = 0; p < k; p++) {
          ref += x[i * k + p]! * w[p * n + j]!;
          exact += x[i * k + p]! * weight[p * n + j]!;
        }
        maxErr = Math.max(maxErr, Math.abs(y[i * n + j]! - ref));
        quantErr = Math.max(quantErr, Math.abs(exact - ref));
        scale = Math.max(scale, Math.abs(ref));
      }
    expect(maxErr / scale).toBeLessThan(1e-5);
    // And the quantization itself is sane: 4-bit error is visible but small.
    expect(quantErr / scale).toBeGreaterThan(1e-4);
    expect(quantErr / scale).toBeLessThan(0.1);
    await session.release();
  });

  it('uses zero point 8 when none is given, and rejects out-of-range codes', () => {
    const codes = new Uint8Array(32).fill(8);
    codes[0] = 15;
    const w = dequantizeMatMulNBits({ k: 32, n: 1, blockSize: 32, codes, scales: Float32Array.of(0.5) });
    expect(w[0]).toBe(3.5);
    expect(w[1]).toBe(0);
    codes[3] = 16;
    expect(() => packMatMulNBits({ k: 32, n: 1, blockSize: 32, codes, scales: Float32Array.of(1) })).toThrow(
      /outside 0..15/,
    );
    expect(() =>
      packMatMulNBits({ k: 32, n: 1, blockSize: 24, codes: new Uint8Array(32), scales: Float32Array.of(1) }),
    ).toThrow(/power of two/);
  });
});
