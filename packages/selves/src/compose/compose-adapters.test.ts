import { describe, expect, it } from 'vitest';
import { CompositionError } from '../errors/composition-error';
import { createPeftAdapter, deltaWeight, type PeftAdapter } from '../format/peft-adapter';
import { SeededRandom } from '../mcc/seeded-random';
import { composeAdapters } from './compose-adapters';

const M = 12;
const N = 10;

function randomAdapter(seed: number, rank: number, alpha: number, base = 'base-x'): PeftAdapter {
  const random = new SeededRandom(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => random.normal());
  return createPeftAdapter({
    baseModel: base,
    modules: {
      q_proj: { a: fill(rank * N), b: fill(M * rank), rank, inFeatures: N, outFeatures: M, alpha },
      v_proj: { a: fill(rank * N), b: fill(M * rank), rank, inFeatures: N, outFeatures: M, alpha },
    },
    saved: { 'score.weight': { shape: [4], data: fill(4) } },
  });
}

// Plain dense references, written independently of the implementation.
const dense = (adapter: PeftAdapter, module: string) => Array.from(deltaWeight(adapter.modules.get(module)!));
const weightedSum = (terms: { d: number[]; w: number }[]) =>
  terms[0]!.d.map((_, i) => terms.reduce((s, t) => s + t.w * t.d[i]!, 0));
function product(b: number[], a: number[], rank: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += b[i * rank + k]! * a[k * N + j]!;
      out.push(s);
    }
  return out;
}
function topK(values: number[], density: number): number[] {
  const keep = Math.floor(density * values.length);
  const idx = values.map((v, i) => [Math.abs(v), i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  const out = values.map(() => 0);
  for (const [, i] of idx.slice(0, keep)) out[i] = values[i]!;
  return out;
}
function tiesReference(tensors: number[][], weights: number[], density: number): number[] {
  const pruned = tensors.map((t) => topK(t, density));
  return pruned[0]!.map((_, i) => {
    const elected = pruned.reduce((s, t) => s + t[i]!, 0) >= 0 ? 1 : -1;
    let sum = 0;
    let count = 0;
    pruned.forEach((t, k) => {
      if (Math.sign(t[i]!) === elected) {
        sum += weights[k]! * t[i]!;
        count++;
      }
    });
    return sum / Math.max(1, count);
  });
}
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4) {
  expect(actual.length).toBe(expected.length);
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!) / scale).toBeLessThan(tolerance);
}
const frobenius = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

const one = randomAdapter(1, 3, 6); // scaling 2
const two = randomAdapter(2, 3, 3); // scaling 1
const weights = [0.7, -0.4];

describe('composeAdapters', () => {
  it('cat is exactly the weighted sum of the updates, with the ranks added up', () => {
    // #region compose-cat
    const merged = composeAdapters([one, two], { method: 'cat', weights: [0.7, -0.4] });
    merged.modules.get('q_proj')!.rank; // 6 = 3 + 3, and lora_alpha = r (scaling 1)
    // #endregion
    for (const module of ['q_proj', 'v_proj']) {
      const m = merged.modules.get(module)!;
      expect(m.rank).toBe(6);
      expect(m.scaling).toBe(1);
      expectClose(
        dense(merged, module),
        weightedSum([
          { d: dense(one, module), w: 0.7 },
          { d: dense(two, module), w: -0.4 },
        ]),
      );
    }
    expect(merged.config.r).toBe(6);
    expect(merged.config.lora_alpha).toBe(6);
  });

  it('svd equals the weighted sum at full rank and is the best rank-k approximation below it', () => {
    const target = weightedSum([
      { d: dense(one, 'q_proj'), w: 0.7 },
      { d: dense(two, 'q_proj'), w: -0.4 },
    ]);
    const full = composeAdapters([one, two], { method: 'svd', weights, svdRank: 6 });
    expectClose(dense(full, 'q_proj'), target);
    const low = composeAdapters([one, two], { method: 'svd', weights });
    expect(low.modules.get('q_proj')!.rank).toBe(3);
    // Eckart-Young: the rank-3 residual's energy is the energy of the dropped singular values,
    // and no other rank-3 candidate (here: each input alone, rescaled) does better.
    const residual = frobenius(dense(low, 'q_proj').map((v, i) => v - target[i]!));
    const singular = fullRankSingulars(full);
    const dropped = Math.sqrt(singular.slice(3).reduce((s, v) => s + v * v, 0));
    expect(residual).toBeCloseTo(dropped, 4);
    expect(residual).toBeLessThan(frobenius(target.map((v, i) => v - 0.7 * dense(one, 'q_proj')[i]!)));
  });

  it('linear follows PEFT: A and B merged separately, which is not the weighted sum of updates', () => {
    const merged = composeAdapters([one, two], { method: 'linear', weights });
    const c = [0.7 * 2, -0.4 * 1];
    const combine = (pick: (a: PeftAdapter) => Float32Array, signed: boolean) =>
      Array.from(pick(one)).map((v, i) =>
        [v, pick(two)[i]!].reduce(
          (s, x, k) => s + (signed ? Math.sign(c[k]!) : 1) * Math.sqrt(Math.abs(c[k]!)) * x,
          0,
        ),
      );
    const a = combine((x) => x.modules.get('q_proj')!.a, true);
    const b = combine((x) => x.modules.get('q_proj')!.b, false);
    expectClose(dense(merged, 'q_proj'), product(b, a, 3));
    const truth = weightedSum([
      { d: dense(one, 'q_proj'), w: 0.7 },
      { d: dense(two, 'q_proj'), w: -0.4 },
    ]);
    const gap = frobenius(dense(merged, 'q_proj').map((v, i) => v - truth[i]!)) / frobenius(truth);
    expect(gap).toBeGreaterThan(0.1); // the cross terms B_1 A_2 and B_2 A_1
  });

  it('ties_svd and magnitude_prune_svd match dense references at full rank', () => {
    const deltas = [dense(one, 'v_proj'), dense(two, 'v_proj')];
    const ties = composeAdapters([one, two], { method: 'ties_svd', weights, density: 0.4, svdRank: 10 });
    expectClose(dense(ties, 'v_proj'), tiesReference(deltas, weights, 0.4));
    const pruned = composeAdapters([one, two], {
      method: 'magnitude_prune_svd',
      weights,
      density: 0.3,
      svdRank: 10,
    });
    expectClose(
      dense(pruned, 'v_proj'),
      weightedSum(deltas.map((d, k) => ({ d: topK(d, 0.3), w: weights[k]! }))),
    );
  });

  it('ties on the factors matches the reference applied to A and B separately', () => {
    const merged = composeAdapters([one, two], { method: 'ties', weights: [0.5, 0.5], density: 0.5 });
    const c = [0.5 * 2, 0.5 * 1].map(Math.sqrt);
    const a = tiesReference(
      [one, two].map((x) => Array.from(x.modules.get('q_proj')!.a)),
      c,
      0.5,
    );
    const b = tiesReference(
      [one, two].map((x) => Array.from(x.modules.get('q_proj')!.b)),
      c,
      0.5,
    );
    expectClose(dense(merged, 'q_proj'), product(b, a, 3));
  });

  it('dare keeps each entry or drops it, rescaled by 1 / density, reproducibly per seed', () => {
    const deltas = [dense(one, 'q_proj'), dense(two, 'q_proj')];
    const d = 0.5;
    const merged = composeAdapters([one, two], {
      method: 'dare_linear_svd',
      weights,
      density: d,
      svdRank: 10,
      seed: 9,
    });
    const got = dense(merged, 'q_proj');
    let dropped = 0;
    got.forEach((v, i) => {
      const options = [0, 1, 2, 3].map((mask) =>
        [0, 1].reduce((s, k) => s + ((mask >> k) & 1 ? (weights[k]! * deltas[k]![i]!) / d : 0), 0),
      );
      const best = Math.min(...options.map((o) => Math.abs(o - v)));
      expect(best).toBeLessThan(1e-4 * Math.max(1, Math.abs(v)));
      if (Math.abs(v) < 1e-9) dropped++;
    });
    expect(dropped).toBeGreaterThan(0);
    expect(
      dense(
        composeAdapters([one, two], { method: 'dare_linear_svd', weights, density: d, svdRank: 10, seed: 9 }),
        'q_proj',
      ),
    ).toEqual(got);
    // density 1 drops nothing: DARE-linear on the factors is then PEFT's linear.
    expectClose(
      dense(composeAdapters([one, two], { method: 'dare_linear', weights, density: 1 }), 'q_proj'),
      dense(composeAdapters([one, two], { method: 'linear', weights }), 'q_proj'),
      1e-6,
    );
    expect(
      dense(
        composeAdapters([one, two], { method: 'dare_ties', weights, density: 0.6, seed: 1 }),
        'q_proj',
      ).every(Number.isFinite),
    ).toBe(true);
  });

  it('reproduces PEFT double alpha/r scaling of the svd types when asked', () => {
    const peft = composeAdapters([one, two], { method: 'svd', weights, svdRank: 6, peftSvdScaling: true });
    expectClose(
      dense(peft, 'q_proj'),
      weightedSum([
        { d: dense(one, 'q_proj'), w: 0.7 * 2 },
        { d: dense(two, 'q_proj'), w: -0.4 * 1 },
      ]),
    );
  });

  it('combines modules_to_save tensors as the weighted sum', () => {
    const merged = composeAdapters([one, two], { method: 'cat', weights });
    const expected = Array.from(one.saved.get('score.weight')!.data).map(
      (v, i) => 0.7 * v - 0.4 * two.saved.get('score.weight')!.data[i]!,
    );
    expectClose(merged.saved.get('score.weight')!.data, expected, 1e-6);
  });

  it('refuses what cannot be combined, with a reason', () => {
    const rank4 = randomAdapter(3, 4, 4);
    expect(() => composeAdapters([one, rank4], { method: 'linear', weights: [1, 1] })).toThrow(
      /equal ranks.*use svd or cat/,
    );
    expect(() => composeAdapters([one, two], { method: 'ties', weights })).toThrow(/density in \[0, 1\]/);
    expect(() => composeAdapters([one, randomAdapter(4, 3, 3, 'other')], { method: 'cat', weights })).toThrow(
      CompositionError,
    );
    expect(() => composeAdapters([one, two], { method: 'svd', weights: [1] })).toThrow(
      /one finite weight per adapter/,
    );
    expect(
      composeAdapters([one, rank4], { method: 'svd', weights: [1, 1] }).modules.get('q_proj')!.rank,
    ).toBe(4);
  });
});

/** Singular values of a full-rank svd composition's q_proj: B = U S, so they are B's column norms. */
function fullRankSingulars(adapter: PeftAdapter): number[] {
  const m = adapter.modules.get('q_proj')!;
  return Array.from({ length: m.rank }, (_, k) => {
    let s = 0;
    for (let i = 0; i < m.outFeatures; i++) s += m.b[i * m.rank + k]! ** 2;
    return Math.sqrt(s);
  }).sort((x, y) => y - x);
}
