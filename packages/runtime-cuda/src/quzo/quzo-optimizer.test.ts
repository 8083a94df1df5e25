import { describe, expect, it } from 'vitest';
import { gaussianAt, quantizerFor } from '../kernels/noise';
import { typescriptKernels } from '../kernels/typescript-kernels';
import { kernels } from '../native/load-native-kernels';
import { InPlacePerturbation } from './in-place-perturbation';
import { QuZOError } from './quzo-error';
import { QuZOOptimizer, type QuZOState } from './quzo-optimizer';
import { decodeReplayLog, encodeReplayLog } from './replay-log';
import { cosineSchedule } from './schedules';

/** Least squares with a known optimum x*: L(x) = |A x - b|^2 / 2m, b = A x*, so min L = 0. */
function leastSquares(d = 32, m = 64) {
  const a = new Float64Array(m * d);
  const target = new Float64Array(d);
  const b = new Float64Array(m);
  for (let i = 0; i < m * d; i++) a[i] = gaussianAt(1, 0, i) / Math.sqrt(d);
  for (let i = 0; i < d; i++) target[i] = gaussianAt(1, 1, i);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[r * d + c]! * target[c]!;
    b[r] = s;
  }
  const lossOf = (x: Float32Array) => () => {
    let t = 0;
    for (let r = 0; r < m; r++) {
      let s = -b[r]!;
      for (let c = 0; c < d; c++) s += a[r * d + c]! * x[c]!;
      t += s * s;
    }
    return t / (2 * m);
  };
  return { d, lossOf };
}

function bits(arrays: readonly Float32Array[]): number[][] {
  return arrays.map((a) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)]);
}

describe('QuZOOptimizer', () => {
  it('quick start: trains a weight vector in place and replays the run from its log', async () => {
    const { d, lossOf } = leastSquares();
    const weights = new Float32Array(d);
    const loss = lossOf(weights);
    const initialLoss = loss();
    // #region quzo-quickstart
    const opt = new QuZOOptimizer({
      params: [weights], // Float32Array tensors, perturbed and updated in place
      lr: cosineSchedule({ from: 0.2, to: 0.02, steps: 600 }),
      eps: 1e-3,
      perturbBits: 4, // SR-quantized perturbations; null = MeZO
      gradBits: 8, // INT8 projected gradients
      directions: 1, // pairs of forward passes per step
      seed: 42,
      kernels: kernels(), // CUDA or native CPU kernels when built, else TypeScript: same bits
    });
    for (let step = 0; step < 600; step++) await opt.step(loss); // loss: () => number | Promise<number>
    const log = encodeReplayLog(opt.records, 1, true); // 13 bytes per step replay the whole run
    // #endregion
    expect(loss()).toBeLessThan(0.1 * initialLoss);
    expect(log.byteLength).toBe(16 + 600 * 13);
    const replayed = QuZOOptimizer.replay({ ...opt.state(), log: decodeReplayLog(log) }, [
      new Float32Array(d),
    ]);
    expect(bits(replayed)).toEqual(bits([weights]));
  });

  it.each([4, 8, null] as const)(
    'learns least squares with perturbBits %s: the loss falls steadily',
    async (perturbBits) => {
      const { d, lossOf } = leastSquares();
      const x = new Float32Array(d);
      const loss = lossOf(x);
      const opt = new QuZOOptimizer({
        params: [x],
        lr: 0.2,
        eps: 1e-3,
        perturbBits,
        gradBits: 8,
        directions: 1,
        seed: 42,
      });
      const initial = loss();
      const history: number[] = [];
      for (let s = 0; s < 600; s++) history.push((await opt.step(loss)).loss);
      const windows = [0, 1, 2, 3, 4, 5].map(
        (w) => history.slice(w * 100, w * 100 + 100).reduce((a, v) => a + v, 0) / 100,
      );
      for (let w = 1; w < windows.length; w++) expect(windows[w]!).toBeLessThan(windows[w - 1]!);
      expect(loss()).toBeLessThan(0.05 * initial);
    },
  );

  it('is bit-identical across runs with the same seed and differs with another seed', async () => {
    const run = async (seed: number) => {
      const { d, lossOf } = leastSquares(16, 32);
      const x = new Float32Array(d).fill(0.25);
      const bias = new Float32Array(3);
      const opt = new QuZOOptimizer({
        params: [x, bias],
        lr: cosineSchedule({ from: 0.1, steps: 40, warmupSteps: 5 }),
        eps: 1e-3,
        perturbBits: 4,
        gradBits: 8,
        directions: 3,
        seed,
      });
      const inner = lossOf(x);
      const loss = () => inner() + bias.reduce((s, v) => s + (v - 0.5) ** 2, 0);
      const losses: number[] = [];
      for (let s = 0; s < 40; s++) losses.push((await opt.step(loss)).loss);
      return { params: bits([x, bias]), losses };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b).toEqual(a);
    expect(c.params).not.toEqual(a.params);
  });

  it('restores the parameters bit for bit after each evaluation pair, even when the loss throws', async () => {
    const x = new Float32Array([1.5, -2e-9, 0, -0, 3e-38, 1e-45, 12345.678, -0.001, 0.5]);
    const before = bits([x]);
    const seen: number[][][] = [];
    const opt = new QuZOOptimizer({
      params: [x],
      lr: 0,
      eps: 1e-2,
      perturbBits: 4,
      gradBits: null,
      directions: 2,
      seed: 3,
    });
    await opt.step(() => {
      seen.push(bits([x]));
      return 1;
    });
    // lr = 0: the update adds exactly zero, so any difference would be restore drift.
    expect(bits([x])).toEqual(before);
    expect(seen[0]).not.toEqual(before);
    let calls = 0;
    await expect(
      opt.step(() => {
        if (++calls === 2) throw new Error('forward pass failed');
        return 1;
      }),
    ).rejects.toThrow('forward pass failed');
    expect(bits([x])).toEqual(before);
    await expect(opt.step(() => Number.NaN)).rejects.toSatisfy(QuZOError.isInstance);
    expect(bits([x])).toEqual(before);
  });

  it('perturbs in place with an exact ledger: restore is bit-exact for every magnitude', () => {
    const n = 50_000;
    const small = new Float32Array(n);
    const large = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      small[i] = gaussianAt(9, 0, i) * 1e-4;
      large[i] = gaussianAt(9, 1, i) * 0.05;
    }
    for (const quantized of [true, false]) {
      const params = [small, large];
      const before = bits(params);
      const perturbation = new InPlacePerturbation(typescriptKernels, params, 4096);
      const noises = params.map((p, tensor) => {
        const r = typescriptKernels.gaussianRange(5, tensor, p.length);
        return { seed: 5, tensor, quantizer: quantized ? quantizerFor(r.min, r.max, 4) : null };
      });
      perturbation.plus(noises, 1e-3);
      const entries = perturbation.ledgerEntries;
      perturbation.minus();
      perturbation.restore();
      expect(bits(params)).toEqual(before);
      // Tiny weights next to the perturbation need the ledger; weights 50x eps rarely do.
      expect(entries).toBeGreaterThan(n * 0.05);
      expect(entries).toBeLessThan(n * 0.1 + n);
      perturbation.plus(noises, 1e-3);
      perturbation.restore();
      expect(bits(params)).toEqual(before);
    }
  });

  it('resumes from state() exactly and replays its log to the same bits', async () => {
    const { d, lossOf } = leastSquares(16, 32);
    const make = () => new Float32Array(d).fill(0.1);
    const settings = {
      lr: 0.1,
      eps: 1e-3,
      perturbBits: 4 as const,
      gradBits: 8 as const,
      directions: 2,
      seed: 11,
    };
    const straight = make();
    const a = new QuZOOptimizer({ params: [straight], ...settings });
    for (let s = 0; s < 20; s++) await a.step(lossOf(straight));

    const resumed = make();
    const b = new QuZOOptimizer({ params: [resumed], ...settings });
    for (let s = 0; s < 10; s++) await b.step(lossOf(resumed));
    const saved = JSON.parse(JSON.stringify(b.state())) as QuZOState;
    const c = QuZOOptimizer.restore(saved, [resumed]);
    for (let s = 0; s < 10; s++) await c.step(lossOf(resumed));
    expect(bits([resumed])).toEqual(bits([straight]));
    expect(c.state().log).toEqual(a.state().log);

    const replayed = QuZOOptimizer.replay(a.state(), [make()]);
    expect(bits(replayed)).toEqual(bits([straight]));

    const bytes = encodeReplayLog(a.records, 2, true);
    expect(bytes.byteLength).toBe(16 + 20 * (12 + 2));
    expect(decodeReplayLog(bytes)).toEqual(a.state().log);
  });

  it('gives the update its own rounding draw (u2 != u1) on the same quantization grid', async () => {
    const n = 4096;
    const x = new Float32Array(n);
    const plus = new Float32Array(n);
    const opt = new QuZOOptimizer({
      params: [x],
      lr: 1,
      eps: 1,
      perturbBits: 4,
      gradBits: null,
      directions: 1,
      seed: 1,
    });
    let call = 0;
    const r = await opt.step(() => {
      if (call++ === 0) plus.set(x);
      return call === 1 ? 1 : 0; // g = (1 - 0) / 2 = 0.5
    });
    expect(r.projectedGradient).toBe(0.5);
    let differ = 0;
    for (let i = 0; i < n; i++) {
      const u1 = plus[i]!;
      const u2 = -x[i]! / 0.5;
      if (Math.abs(u1 - u2) > 1e-6) differ++;
    }
    expect(differ).toBeGreaterThan(n / 10);
  });

  it('rejects bad options with errors that say what to pass', () => {
    const p = [new Float32Array(4)];
    const base = {
      params: p,
      lr: 0.1,
      eps: 1e-3,
      perturbBits: 4 as const,
      gradBits: 8 as const,
      directions: 1,
      seed: 1,
    };
    expect(() => new QuZOOptimizer({ ...base, directions: 0 })).toThrow(/directions must be an integer >= 1/);
    expect(() => new QuZOOptimizer({ ...base, perturbBits: 3 as never })).toThrow(
      /perturbBits must be 4, 8 or null/,
    );
    expect(() => new QuZOOptimizer({ ...base, seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => new QuZOOptimizer({ ...base, params: [] })).toThrow(/non-empty array/);
    expect(() => QuZOOptimizer.restore(new QuZOOptimizer(base).state(), [new Float32Array(5)])).toThrow(
      /expected tensor lengths \[4\]/,
    );
  });
});
