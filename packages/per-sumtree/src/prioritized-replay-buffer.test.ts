import { describe, expect, it } from 'vitest';
import { BatchSizeError } from './errors/batch-size-error';
import { EmptyBufferError } from './errors/empty-buffer-error';
import { IndexOutOfRangeError } from './errors/index-out-of-range-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { InvalidStateError } from './errors/invalid-state-error';
import { createSampleBuffers, PrioritizedReplayBuffer } from './prioritized-replay-buffer';

interface Transition {
  state: string;
  action: string;
  reward: number;
}

/** P(i) and the normalized IS weights computed directly from the raw priorities (no trees). */
function direct(buffer: PrioritizedReplayBuffer<unknown>, beta: number) {
  const n = buffer.size;
  const scaled = Array.from({ length: n }, (_, i) => (buffer.priorityOf(i) + buffer.epsilon) ** buffer.alpha);
  const total = scaled.reduce((a, b) => a + b, 0);
  const probability = scaled.map((s) => s / total);
  const maxWeight = Math.max(...probability.map((p) => (n * p) ** -beta));
  return { probability, weight: (i: number) => (n * probability[i]!) ** -beta / maxWeight };
}

describe('PrioritizedReplayBuffer', () => {
  it('stores, samples and reprioritizes experiences', () => {
    // #region replay-buffer
    const buffer = new PrioritizedReplayBuffer<Transition>({ capacity: 100_000, seed: 42 });
    buffer.add({ state: 'login page', action: 'click #submit', reward: 0 });
    buffer.add({ state: 'cart', action: 'type coupon', reward: 1 });
    buffer.add({ state: 'checkout', action: 'click pay', reward: -1 });

    const batch = buffer.sample(2); // stratified: one draw per half of the priority mass
    // Train on batch.items, scaling each experience's loss by batch.weights[i], then feed the
    // new |TD errors| back so surprising experiences are replayed more often.
    const tdErrors = [0.5, 2.0];
    buffer.updatePriorities(batch.indices, tdErrors);
    // #endregion
    expect(batch.items).toHaveLength(2);
    expect(batch.indices[0]).toBeLessThanOrEqual(batch.indices[1]!);
    expect(buffer.priorityOf(batch.indices[1]!)).toBe(2);
    expect(buffer.maxPriority).toBe(2);
    for (const w of batch.weights) expect(w > 0 && w <= 1).toBe(true);
  });

  it('is a ring: the oldest experience is evicted once full', () => {
    const buffer = new PrioritizedReplayBuffer<string>({ capacity: 3, seed: 1 });
    expect(['a', 'b', 'c', 'd', 'e'].map((x) => buffer.add(x))).toEqual([0, 1, 2, 0, 1]);
    expect(buffer.size).toBe(3);
    expect([buffer.get(0), buffer.get(1), buffer.get(2)]).toEqual(['d', 'e', 'c']);
    const seen = new Set(buffer.sample(3).items);
    expect(seen.has('a') || seen.has('b')).toBe(false);
  });

  it('gives new experiences the running maximum priority', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 10, seed: 1 });
    buffer.add(0);
    expect(buffer.priorityOf(0)).toBe(1); // nothing seen yet: 1, as in the paper's code
    buffer.add(1, 7);
    buffer.add(2);
    expect(buffer.priorityOf(2)).toBe(7);
    buffer.updatePriorities([0], [9]);
    buffer.add(3);
    expect(buffer.priorityOf(3)).toBe(9);
    buffer.updatePriorities([3], [0.1]); // the running maximum never decreases
    expect(buffer.maxPriority).toBe(9);
  });

  it('computes probabilities and IS weights as the paper defines them', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 64, alpha: 0.7, beta0: 0.5, seed: 3 });
    for (let i = 0; i < 50; i++) buffer.add(i, (i % 7) * 0.3 + (i === 13 ? 5 : 0));
    const beta = buffer.beta;
    const batch = buffer.sample(16);
    const { probability, weight } = direct(buffer, beta);
    batch.indices.forEach((index, b) => {
      expect(batch.items[b]).toBe(index);
      expect(batch.probabilities[b]).toBeCloseTo(probability[index]!, 12);
      expect(Math.abs(batch.weights[b]! - weight(index))).toBeLessThan(1e-12);
      expect(buffer.probabilityOf(index)).toBeCloseTo(probability[index]!, 12);
    });
  });

  it('anneals beta linearly from beta0 to 1 over betaSteps samples', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 8, beta0: 0.4, betaSteps: 10, seed: 1 });
    buffer.add(1);
    const betas: number[] = [];
    for (let i = 0; i < 12; i++) {
      betas.push(buffer.beta);
      buffer.sample(1);
    }
    expect(betas[0]).toBe(0.4);
    expect(betas[5]).toBeCloseTo(0.7, 12);
    expect(betas[10]).toBe(1);
    expect(betas[11]).toBe(1);
    expect(buffer.sampleCount).toBe(12);
    expect(new PrioritizedReplayBuffer({ capacity: 1, betaSteps: 0 }).beta).toBe(1);
  });

  it('samples into caller-provided buffers without allocating new ones', () => {
    const buffer = new PrioritizedReplayBuffer<string>({ capacity: 16, seed: 5 });
    for (let i = 0; i < 16; i++) buffer.add(`e${i}`, i + 1);
    const out = createSampleBuffers<string>(8);
    const { indices, weights } = out;
    buffer.sampleInto(8, out);
    buffer.sampleInto(4, out);
    expect(out.indices).toBe(indices);
    expect(out.weights).toBe(weights);
    expect(out.items).toHaveLength(4);
    expect(out.items[0]).toBe(`e${out.indices[0]}`);
    expect(() => buffer.sampleInto(9, out)).toThrow(/createSampleBuffers\(9\)/);
    // Reused buffers are longer than the batch: pass the count.
    buffer.updatePriorities(out.indices, [0.5, 0.5, 0.5, 0.5], 4);
    expect(buffer.priorityOf(out.indices[3]!)).toBe(0.5);
    expect(() => buffer.updatePriorities(out.indices, [1, 1, 1, 1])).toThrow(/or a count/);
    expect(() => buffer.updatePriorities(out.indices, [1, 1, 1, 1], 5)).toThrow(/count 5/);
  });

  it('rejects bad input with clear errors and loses nothing', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 8, seed: 1 });
    expect(() => buffer.sample(1)).toThrow(EmptyBufferError);
    buffer.add(10, 2);
    buffer.add(11, 3);
    expect(() => buffer.sample(3)).toThrow(BatchSizeError);
    expect(() => buffer.sample(0)).toThrow(/positive integer/);
    expect(() => buffer.add(12, -1)).toThrow(InvalidPriorityError);
    expect(() => buffer.add(12, Number.NaN)).toThrow(/NaN/);
    expect(buffer.size).toBe(2);
    expect(() => buffer.updatePriorities([0, 2], [1, 1])).toThrow(IndexOutOfRangeError);
    expect(() => buffer.updatePriorities([0, 1], [1, -0.5])).toThrow(/position 1 is negative/);
    expect(() => buffer.updatePriorities([0, 1], [1])).toThrow(/one priority per index/);
    expect([buffer.priorityOf(0), buffer.priorityOf(1)]).toEqual([2, 3]);
    expect(() => buffer.get(5)).toThrow(/\[0, 1\]/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 0 })).toThrow(InvalidArgumentError);
    expect(() => new PrioritizedReplayBuffer({ capacity: 4, beta0: 1.5 })).toThrow(/beta0/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 4, epsilon: 0 })).toThrow(/epsilon/);
    expect(() => new PrioritizedReplayBuffer({ capacity: 4, betaSteps: -1 })).toThrow(/betaSteps/);
    const steep = new PrioritizedReplayBuffer<number>({ capacity: 4, alpha: 400, seed: 1 });
    expect(() => steep.add(1, 1e10)).toThrow(/rescale the priorities or lower alpha/);
    expect(steep.size).toBe(0);
  });

  it('saves and loads its whole state: the loaded buffer samples exactly what the original would', () => {
    const buffer = new PrioritizedReplayBuffer<Transition>({
      capacity: 50,
      alpha: 0.5,
      betaSteps: 100,
      seed: 8,
    });
    for (let i = 0; i < 70; i++) buffer.add({ state: `s${i}`, action: 'a', reward: i }, (i * 37) % 11);
    buffer.sample(10);
    const saved = JSON.parse(JSON.stringify(buffer));
    const loaded = PrioritizedReplayBuffer.load<Transition>(saved);
    expect(loaded.size).toBe(50);
    expect(loaded.beta).toBe(buffer.beta);
    for (let round = 0; round < 3; round++) {
      const a = buffer.sample(8);
      const b = loaded.sample(8);
      expect(b.indices).toEqual(a.indices);
      expect(b.weights).toEqual(a.weights);
      expect(b.items).toEqual(a.items);
      buffer.updatePriorities(a.indices, a.weights);
      loaded.updatePriorities(b.indices, b.weights);
    }
    expect(loaded.add({ state: 'new', action: 'a', reward: 0 })).toBe(
      buffer.add({ state: 'new', action: 'a', reward: 0 }),
    );
  });

  it('saves items through a serializer and restores them through a deserializer', () => {
    const buffer = new PrioritizedReplayBuffer<Map<string, number>>({ capacity: 4, seed: 2 });
    buffer.add(new Map([['x', 1]]));
    const state = buffer.save((item) => [...item.entries()]);
    expect(state.items).toEqual([[['x', 1]]]);
    const loaded = PrioritizedReplayBuffer.load(state, (entries: [string, number][]) => new Map(entries));
    expect(loaded.get(0).get('x')).toBe(1);
  });

  it('refuses corrupt states, naming the field', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 4, seed: 2 });
    buffer.add(1);
    const good = buffer.toJSON();
    expect(() => PrioritizedReplayBuffer.load(null)).toThrow(InvalidStateError);
    expect(() => PrioritizedReplayBuffer.load({ ...good, format: 'x' })).toThrow(/format/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, version: 2 })).toThrow(/version 2 is not supported/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, priorities: [-1] })).toThrow(/priorities\[0\]/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, items: [] })).toThrow(/items must be an array of 1/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, nextSlot: 3 })).toThrow(/nextSlot/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, randomState: [0, 0, 0, 0] })).toThrow(/randomState/);
    expect(() => PrioritizedReplayBuffer.load({ ...good, size: 5 })).toThrow(/size/);
  });

  it('clears everything but its options and generator', () => {
    const buffer = new PrioritizedReplayBuffer<number>({ capacity: 4, seed: 2 });
    buffer.add(1, 5);
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(buffer.maxPriority).toBe(1);
    expect(() => buffer.sample(1)).toThrow(EmptyBufferError);
    expect(buffer.add(2)).toBe(0);
    expect(buffer.sample(1).items).toEqual([2]);
  });
});
