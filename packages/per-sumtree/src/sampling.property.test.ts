/**
 * Property and statistical tests of the trees and the buffer: structural invariants after any
 * sequence of operations, sampling frequencies (chi-square at fixed seeds), stratification, and
 * importance-sampling weights against a direct computation from the raw priorities.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accurateSum,
  chiSquare,
  chiSquareCritical,
  invariantViolations,
  minChildren,
  sumChildren,
} from './__fixtures__/tree-internals';
import { MinTree } from './min-tree';
import { PrioritizedReplayBuffer } from './prioritized-replay-buffer';
import { SeededRandom } from './seeded-random';
import { SumTree } from './sum-tree';

// Non-negative values across magnitudes, zeros included (`+ 0` turns -0 into 0).
const value = fc.oneof(
  fc.constant(0),
  fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => v + 0),
  fc.double({ min: 0, max: 1e-200, noNaN: true }).map((v) => v + 0),
  fc.integer({ min: 0, max: 10 }),
);

type Op =
  | { kind: 'set'; index: number; value: number }
  | { kind: 'batch'; entries: [number, number][] }
  | { kind: 'all'; values: number[] }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), index: fc.nat(), value }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      entries: fc.array(fc.tuple(fc.nat(), value), { maxLength: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('all' as const), values: fc.array(value, { maxLength: 300 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Wraps a generator and records each uniform draw, to check where each stratified draw landed. */
class RecordingRandom {
  readonly draws: number[] = [];
  constructor(private readonly inner: SeededRandom) {}
  nextFloat(): number {
    const x = this.inner.nextFloat();
    this.draws.push(x);
    return x;
  }
}

describe('tree invariants (property)', () => {
  it('every internal node equals the sum (min) of its children after any sequence of operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const sum = new SumTree(capacity);
        const min = new MinTree(capacity);
        const sums = new Float64Array(capacity);
        const mins = new Float64Array(capacity).fill(Number.POSITIVE_INFINITY);
        for (const o of ops) {
          if (o.kind === 'set') {
            const index = o.index % capacity;
            sum.set(index, o.value);
            min.set(index, o.value);
            sums[index] = o.value;
            mins[index] = o.value;
          } else if (o.kind === 'batch') {
            const indices = o.entries.map(([i]) => i % capacity);
            const values = o.entries.map(([, v]) => v);
            sum.setBatch(indices, values);
            min.setBatch(indices, values);
            indices.forEach((index, i) => {
              sums[index] = values[i]!;
              mins[index] = values[i]!;
            });
          } else if (o.kind === 'all') {
            const values = o.values.slice(0, capacity);
            sum.setAll(values);
            min.setAll(values);
            sums.fill(0).set(values);
            mins.fill(Number.POSITIVE_INFINITY).set(values);
          } else {
            sum.clear();
            min.clear();
            sums.fill(0);
            mins.fill(Number.POSITIVE_INFINITY);
          }
        }
        expect(invariantViolations(sum, sumChildren)).toEqual([]);
        expect(invariantViolations(min, minChildren)).toEqual([]);
        expect(sum.toArray()).toEqual(sums);
        expect(min.toArray()).toEqual(mins);
        expect(min.min).toBe(Math.min(...mins));
        const exact = accurateSum(sums);
        expect(Math.abs(sum.total - exact)).toBeLessThanOrEqual(exact * 64 * 2 ** -53);
      }),
      { numRuns: 150 },
    );
  });

  it('batched search equals single search and never returns an empty leaf', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 400 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 }),
        (values, fractions) => {
          fc.pre(values.some((v) => v > 0));
          const tree = new SumTree(values.length);
          tree.setAll(values);
          const masses = fractions.map((f) => Math.min(f * tree.total, tree.total));
          const out = tree.findBatch(masses, new Int32Array(masses.length));
          masses.forEach((mass, b) => {
            expect(out[b]).toBe(tree.find(mass));
            expect(values[out[b]!]).toBeGreaterThan(0);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('stratified sampling (property)', () => {
  it('draws once in each equal-mass segment, and each draw returns the leaf owning that mass', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer(),
        (values, count, seed) => {
          fc.pre(values.some((v) => v > 0));
          const tree = new SumTree(values.length);
          tree.setAll(values);
          const random = new RecordingRandom(new SeededRandom(seed));
          const out = tree.sampleStratified(count, random, new Int32Array(count));
          const total = tree.total;
          const segment = total / count;
          const prefix = [0];
          for (const v of values) prefix.push(prefix[prefix.length - 1]! + v);
          // Relative slack for the different summation order, absolute slack for subnormal values.
          const tolerance = 1e-9 * total + 64 * Number.MIN_VALUE;
          expect(random.draws).toHaveLength(count);
          for (let b = 0; b < count; b++) {
            const mass = (b + random.draws[b]!) * segment;
            expect(mass).toBeGreaterThanOrEqual(b * segment);
            expect(mass).toBeLessThanOrEqual((b + 1) * segment);
            const leaf = out[b]!;
            expect(values[leaf]).toBeGreaterThan(0);
            expect(prefix[leaf]!).toBeLessThanOrEqual(mass + tolerance);
            expect(prefix[leaf + 1]!).toBeGreaterThanOrEqual(mass - tolerance);
            if (b > 0) expect(leaf).toBeGreaterThanOrEqual(out[b - 1]!);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('buffer batches cover each 1/batch slice of probability exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 32 }),
        fc.integer(),
        (priorities, wanted, seed) => {
          const buffer = new PrioritizedReplayBuffer<number>({ capacity: priorities.length, seed });
          for (const [i, p] of priorities.entries()) buffer.add(i, p);
          const batch = Math.min(wanted, buffer.size);
          const { indices } = buffer.sample(batch);
          // Cumulative P from the raw priorities alone (not from the trees).
          const scaled = priorities.map((p) => (p + buffer.epsilon) ** buffer.alpha);
          const total = scaled.reduce((a, b) => a + b, 0);
          const before = [0];
          for (const s of scaled) before.push(before[before.length - 1]! + s / total);
          for (let b = 0; b < batch; b++) {
            const index = indices[b]!;
            expect(before[index]!).toBeLessThanOrEqual((b + 1) / batch + 1e-9);
            expect(before[index + 1]!).toBeGreaterThanOrEqual(b / batch - 1e-9);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('importance-sampling weights (property)', () => {
  it('match (N P(i))^-beta / max_j (N P(j))^-beta computed directly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 150 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        (priorities, alpha, beta0, steps) => {
          const buffer = new PrioritizedReplayBuffer<number>({
            capacity: 256,
            alpha,
            beta0,
            betaSteps: 20,
            seed: 1,
          });
          for (const [i, p] of priorities.entries()) buffer.add(i, p);
          for (let s = 0; s < steps; s++) buffer.sample(1);
          const beta = buffer.beta;
          const n = buffer.size;
          const scaled = priorities.map((p) => (p + buffer.epsilon) ** alpha);
          const total = scaled.reduce((a, b) => a + b, 0);
          const weightOf = (p: number) => (n * p) ** -beta;
          const maxWeight = Math.max(...scaled.map((s) => weightOf(s / total)));
          const batch = buffer.sample(Math.min(8, n));
          batch.indices.forEach((index, b) => {
            const expected = weightOf(scaled[index]! / total) / maxWeight;
            expect(Math.abs(batch.weights[b]! - expected)).toBeLessThanOrEqual(1e-9 * expected);
            expect(Math.abs(batch.probabilities[b]! - scaled[index]! / total)).toBeLessThanOrEqual(
              1e-9 * (scaled[index]! / total),
            );
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('sampling frequencies (chi-square at fixed seeds)', () => {
  const critical = (df: number) => chiSquareCritical(df); // p = 0.001

  for (const seed of [1, 2, 3]) {
    it(`buffer draws match p^alpha / sum p^alpha (seed ${seed})`, () => {
      const n = 40;
      const alpha = 0.6;
      const setup = new SeededRandom(100 + seed);
      const buffer = new PrioritizedReplayBuffer<number>({ capacity: n, alpha, seed });
      for (let i = 0; i < n; i++) buffer.add(i, -Math.log(1 - setup.nextFloat()) * 3);
      const counts = new Float64Array(n);
      const batches = 2000;
      const batch = 32;
      for (let r = 0; r < batches; r++) for (const index of buffer.sample(batch).indices) counts[index]!++;
      const draws = batches * batch;
      const expectedFor = (a: number) => {
        const scaled = Array.from({ length: n }, (_, i) => (buffer.priorityOf(i) + buffer.epsilon) ** a);
        const total = scaled.reduce((x, y) => x + y, 0);
        return scaled.map((s) => (draws * s) / total);
      };
      expect(chiSquare(counts, expectedFor(alpha))).toBeLessThan(critical(n - 1));
      // The same test rejects the wrong exponent outright: it has the power to catch a bias.
      expect(chiSquare(counts, expectedFor(1))).toBeGreaterThan(10 * critical(n - 1));
    });
  }

  it('independent tree searches hit leaves in proportion to their values', () => {
    const values = [5, 0, 1, 3, 0.5, 10, 2, 0, 7.5, 1];
    const tree = new SumTree(values.length);
    tree.setAll(values);
    const random = new SeededRandom(77);
    const counts = new Float64Array(values.length);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[tree.find(random.nextFloat() * tree.total)]!++;
    const total = values.reduce((a, b) => a + b, 0);
    const positive = values.map((v, i) => [v, i] as const).filter(([v]) => v > 0);
    expect(counts[1]).toBe(0);
    expect(counts[7]).toBe(0);
    const observed = positive.map(([, i]) => counts[i]!);
    const expected = positive.map(([v]) => (draws * v) / total);
    expect(chiSquare(observed, expected)).toBeLessThan(critical(positive.length - 1));
  });
});
