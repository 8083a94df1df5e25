/**
 * @chimera/per-sumtree at capacity 2^20, batch 256, against the straightforward binary sum-tree
 * written below (the in-run baseline: a Float64Array heap, one root-to-leaf descent per sample,
 * one leaf-to-root walk per update, as in the reference's TS sketch). Both run in the same
 * process, interleaved round by round, on the same priorities and the same generator, so their
 * ratio is meaningful even on a noisy machine. The C++ figures quoted by the issue are added as
 * reference rows: they were not measured here.
 */

import { cpus, loadavg } from 'node:os';
import {
  createSampleBuffers,
  MinTree,
  PrioritizedReplayBuffer,
  SeededRandom,
  SumTree,
} from '@chimera/per-sumtree';
import { type BenchRow, median, writeResult } from './lib/report';

const CAPACITY = 1 << 20;
const BATCH = 256;
const ROUNDS = 21;

// ---- the baseline: a straightforward binary sum/min tree ----------------------------------------
class BinaryTrees {
  readonly sum = new Float64Array(2 * CAPACITY);
  readonly min = new Float64Array(2 * CAPACITY).fill(Number.POSITIVE_INFINITY);

  fill(values: Float64Array): void {
    for (let i = 0; i < CAPACITY; i++) {
      this.sum[CAPACITY + i] = values[i]!;
      this.min[CAPACITY + i] = values[i]!;
    }
    for (let j = CAPACITY - 1; j >= 1; j--) {
      this.sum[j] = this.sum[2 * j]! + this.sum[2 * j + 1]!;
      this.min[j] = Math.min(this.min[2 * j]!, this.min[2 * j + 1]!);
    }
  }

  /** One descent per sample: if v > left, go right with v - left, else go left. */
  sampleStratified(random: SeededRandom, out: Int32Array): void {
    const t = this.sum;
    const segment = t[1]! / BATCH;
    for (let b = 0; b < BATCH; b++) {
      let v = (b + random.nextFloat()) * segment;
      let j = 1;
      while (j < CAPACITY) {
        const left = t[2 * j]!;
        if (v > left) {
          v -= left;
          j = 2 * j + 1;
        } else {
          j = 2 * j;
        }
      }
      out[b] = j - CAPACITY;
    }
  }

  /** Sets the leaf, then `j >>= 1; t[j] = t[2j] + t[2j+1]` up to the root, in both trees. */
  update(index: number, value: number): void {
    const s = this.sum;
    const m = this.min;
    let j = index + CAPACITY;
    s[j] = value;
    m[j] = value;
    j >>= 1;
    while (j >= 1) {
      s[j] = s[2 * j]! + s[2 * j + 1]!;
      m[j] = Math.min(m[2 * j]!, m[2 * j + 1]!);
      j >>= 1;
    }
  }
}

// ---- setup ----------------------------------------------------------------------------------------
const setupRandom = new SeededRandom(20_240_601);
const priorities = new Float64Array(CAPACITY);
// |TD error|-like priorities: exponential, then (p + 1e-6)^0.6 as the buffer stores them.
for (let i = 0; i < CAPACITY; i++) priorities[i] = (-Math.log(1 - setupRandom.nextFloat()) + 1e-6) ** 0.6;

const sumTree = new SumTree(CAPACITY);
const minTree = new MinTree(CAPACITY);
sumTree.setAll(priorities);
minTree.setAll(priorities);
const baseline = new BinaryTrees();
baseline.fill(priorities);

// Update batches: the indices a sample returns (sorted), with fresh values.
const updateBatches = Array.from({ length: 64 }, () => {
  const indices = sumTree.sampleStratified(BATCH, setupRandom, new Int32Array(BATCH));
  const values = Float64Array.from({ length: BATCH }, () => setupRandom.nextFloat() * 2 + 1e-3);
  return { indices, values };
});
const singleIndices = Int32Array.from({ length: 4096 }, () => setupRandom.nextInt(CAPACITY));
const singleValues = Float64Array.from({ length: 4096 }, () => setupRandom.nextFloat() * 2 + 1e-3);

// ---- measurement ----------------------------------------------------------------------------------
/**
 * Runs each case `iterations` times per round, the cases interleaved round by round so that load
 * from other processes hits them alike; returns the median and the best round, in µs/iteration.
 */
function compare(
  cases: Record<string, () => void>,
  iterations: number,
): Record<string, { median: number; best: number }> {
  const names = Object.keys(cases);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const name of names) for (let i = 0; i < iterations; i++) cases[name]!(); // warm up the JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const fn = cases[name]!;
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) fn();
      times[name]!.push(Number(process.hrtime.bigint() - start) / iterations / 1000);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { median: median(times[n]!), best: Math.min(...times[n]!) }]),
  );
}

const loadBefore = loadavg()[0]!;
const out = new Int32Array(BATCH);
const randomOurs = new SeededRandom(1);
const randomBaseline = new SeededRandom(1);

// Sanity: both find the same leaves for the same draws (ties at exact boundaries aside).
{
  const a = sumTree.sampleStratified(BATCH, new SeededRandom(5), new Int32Array(BATCH));
  const b = new Int32Array(BATCH);
  baseline.sampleStratified(new SeededRandom(5), b);
  const same = a.every((x, i) => x === b[i]);
  if (!same) throw new Error('baseline and SumTree disagree on the same stratified draws');
}

const sample = compare(
  {
    baseline: () => baseline.sampleStratified(randomBaseline, out),
    ours: () => sumTree.sampleStratified(BATCH, randomOurs, out),
  },
  2000,
);

let u = 0;
const update = compare(
  {
    baseline: () => {
      const { indices, values } = updateBatches[u++ & 63]!;
      for (let i = 0; i < BATCH; i++) baseline.update(indices[i]!, values[i]!);
    },
    ours: () => {
      const { indices, values } = updateBatches[u++ & 63]!;
      sumTree.setBatch(indices, values);
      minTree.setBatch(indices, values);
    },
  },
  2000,
);

let s = 0;
const single = compare(
  {
    baseline: () => {
      const k = s++ & 4095;
      baseline.update(singleIndices[k]!, singleValues[k]!);
    },
    ours: () => {
      const k = s++ & 4095;
      sumTree.set(singleIndices[k]!, singleValues[k]!);
      minTree.set(singleIndices[k]!, singleValues[k]!);
    },
  },
  200_000,
);

// ---- the whole buffer: sample (indices, probabilities, weights, items) and update priorities -----
const buffer = new PrioritizedReplayBuffer<number>({ capacity: CAPACITY, seed: 3, betaSteps: 1_000_000_000 });
for (let i = 0; i < CAPACITY; i++) buffer.add(i, -Math.log(1 - setupRandom.nextFloat()));
const buffers = createSampleBuffers<number>(BATCH);
const items = Array.from({ length: CAPACITY }, (_, i) => i);
const baselineBuffer = new BinaryTrees();
baselineBuffer.fill(Float64Array.from({ length: CAPACITY }, (_, i) => buffer.probabilityOf(i)));
const baselineOut = createSampleBuffers<number>(BATCH);
const tdErrors = Float64Array.from({ length: BATCH }, () => setupRandom.nextFloat());
const randomBuffer = new SeededRandom(9);
const full = compare(
  {
    baseline: () => {
      // Same work as sampleInto on the binary tree: descents, then P(i) and (P(i)/P_min)^-beta.
      const { indices, weights, probabilities, items: got } = baselineOut;
      baselineBuffer.sampleStratified(randomBuffer, indices);
      const total = baselineBuffer.sum[1]!;
      const minimum = baselineBuffer.min[1]!;
      for (let b = 0; b < BATCH; b++) {
        const leaf = baselineBuffer.sum[CAPACITY + indices[b]!]!;
        probabilities[b] = leaf / total;
        weights[b] = (leaf / minimum) ** -0.4;
        got[b] = items[indices[b]!]!;
      }
      for (let b = 0; b < BATCH; b++) {
        baselineBuffer.update(indices[b]!, (tdErrors[b]! + 1e-6) ** 0.6);
      }
    },
    ours: () => {
      buffer.sampleInto(BATCH, buffers);
      buffer.updatePriorities(buffers.indices, tdErrors);
    },
  },
  1000,
);

// ---- report -----------------------------------------------------------------------------------------
const loadAfter = loadavg()[0]!;
const conditions = `median of ${ROUNDS} interleaved rounds; 1-min load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${cpus().length} cores`;
const NOT_MEASURED =
  'reference figure quoted in the issue (measured on this machine kind), NOT measured in this run';
const cppSample = 56;
const cppUpdate = 38;
const best = (r: { best: number }, scale = 1) => `best round ${(r.best * scale).toFixed(1)}`;
const rows: BenchRow[] = [
  {
    metric: 'stratified batch sample, 2^20 leaves, batch 256 (SumTree.sampleStratified)',
    value: sample.ours!.median,
    unit: 'µs/batch',
    baseline: sample.baseline!.median,
    baselineName: 'binary tree, per-sample descent',
    target: 28,
    better: 'lower',
    note: `${((sample.ours!.median * 1000) / BATCH).toFixed(0)} ns/sample (baseline ${((sample.baseline!.median * 1000) / BATCH).toFixed(0)}); ${(cppSample / sample.ours!.median).toFixed(2)}x faster than the C++ reference figure (${cppSample} µs); ${best(sample.ours!)} vs ${best(sample.baseline!)}; ${conditions}`,
  },
  {
    metric: 'batch update of sum + min trees, 256 sampled indices (setBatch on both)',
    value: update.ours!.median,
    unit: 'µs/batch',
    baseline: update.baseline!.median,
    baselineName: 'binary trees, per-index leaf-to-root walk',
    target: 38,
    better: 'lower',
    note: `${((update.ours!.median * 1000) / BATCH).toFixed(0)} ns/element; ${(cppUpdate / update.ours!.median).toFixed(2)}x faster than the C++ reference figure (${cppUpdate} µs); ${best(update.ours!)} vs ${best(update.baseline!)}`,
  },
  {
    metric: 'single update of sum + min trees (set on both)',
    value: single.ours!.median * 1000,
    unit: 'ns/update',
    baseline: single.baseline!.median * 1000,
    baselineName: 'binary trees, leaf-to-root walk',
    better: 'lower',
    note: `${best(single.ours!, 1000)} vs ${best(single.baseline!, 1000)}`,
  },
  {
    metric: 'PrioritizedReplayBuffer: sampleInto(256) + updatePriorities(256), 2^20 stored',
    value: full.ours!.median,
    unit: 'µs/step',
    baseline: full.baseline!.median,
    baselineName: 'binary trees, same weights/probabilities/items work',
    better: 'lower',
    note: `includes probabilities, IS weights, items, input validation, (p+eps)^alpha and the raw-priority record; ${best(full.ours!)} vs ${best(full.baseline!)}`,
  },
  {
    metric:
      '[reference figure from the issue, NOT measured here] TorchRL C++ segment tree: stratified batch of 256',
    value: cppSample,
    unit: 'µs/batch',
    better: 'lower',
    note: `${NOT_MEASURED}; about 217 ns/sample`,
  },
  {
    metric:
      '[reference figure from the issue, NOT measured here] TorchRL C++ segment tree: update sum + min, batch of 256',
    value: cppUpdate,
    unit: 'µs/batch',
    better: 'lower',
    note: `${NOT_MEASURED}; about 148 ns/element`,
  },
  {
    metric:
      '[reference figure from the issue, NOT measured here] level-by-level batched descent in C++, batch of 256',
    value: (42 * BATCH) / 1000,
    unit: 'µs/batch',
    better: 'lower',
    note: `${NOT_MEASURED}; 42 ns/sample (the JS version quoted: about 133 ns/sample, best run 48)`,
  },
];
writeResult('sumtree', rows);
