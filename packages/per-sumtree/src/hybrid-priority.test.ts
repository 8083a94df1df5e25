import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { InvalidPriorityError } from './errors/invalid-priority-error';
import { HybridPriority, hybridPriority } from './hybrid-priority';
import { PrioritizedReplayBuffer } from './prioritized-replay-buffer';

describe('hybridPriority (stateless)', () => {
  it('weights the magnitudes of both signals after dividing by their scales', () => {
    expect(hybridPriority(1, 0.5)).toBe(0.75); // defaults: weights 0.5 / 0.5, scales 1
    expect(hybridPriority(-2, 0.1, { tdWeight: 0.7, lpWeight: 0.3, tdScale: 2, lpScale: 0.1 })).toBeCloseTo(
      1,
      15,
    );
    expect(hybridPriority(0, -0.2, { tdWeight: 0, lpWeight: 1 })).toBe(0.2); // forgetting counts too
  });

  it('rejects NaN or infinite signals and meaningless weights', () => {
    expect(() => hybridPriority(Number.NaN, 0)).toThrow(InvalidPriorityError);
    expect(() => hybridPriority(0, Number.POSITIVE_INFINITY)).toThrow(
      /learningProgress Infinity is infinite/,
    );
    expect(() => hybridPriority(1, 1, { tdWeight: 0, lpWeight: 0 })).toThrow(/both 0/);
    expect(() => hybridPriority(1, 1, { tdWeight: -1 })).toThrow(InvalidArgumentError);
    expect(() => hybridPriority(1, 1, { tdScale: 0 })).toThrow(/tdScale/);
  });
});

describe('HybridPriority (running normalization)', () => {
  it('running-mean: each signal is divided by a moving average of its magnitude', () => {
    const hybrid = new HybridPriority({ tdWeight: 1, lpWeight: 1, decay: 0.5, floor: 0 });
    const first = hybrid.compute([2, -4], [0.1, 0.3]); // scales: td 3, lp 0.2
    expect(hybrid.scales.td).toBe(3);
    expect(hybrid.scales.lp).toBeCloseTo(0.2, 15);
    expect(first[0]).toBeCloseTo(2 / 3 + 0.1 / 0.2, 12);
    expect(first[1]).toBeCloseTo(4 / 3 + 0.3 / 0.2, 12);
    hybrid.compute([6], 0.2); // td scale 0.5 * 3 + 0.5 * 6 = 4.5; lp 0.5 * 0.2 + 0.5 * 0.2 = 0.2
    expect(hybrid.scales.td).toBe(4.5);
    expect(hybrid.scales.lp).toBeCloseTo(0.2, 15);
  });

  it('running-max: each term stays within about its weight', () => {
    const hybrid = new HybridPriority({ normalization: 'running-max', decay: 0.9, floor: 0 });
    const out = hybrid.compute([1, 10, 5], [0.5, 0, 0.25]);
    expect(Array.from(out)).toEqual([0.5 * 0.1 + 0.5 * 1, 0.5, 0.5 * 0.5 + 0.5 * 0.5]);
    hybrid.compute([2], [0.1]); // decayed maxima: td max(9, 2) = 9, lp max(0.45, 0.1) = 0.45
    expect(hybrid.scales.td).toBe(9);
    expect(hybrid.scales.lp).toBeCloseTo(0.45, 15);
  });

  it("'none' uses raw magnitudes, and the state can be saved and restored", () => {
    const raw = new HybridPriority({ normalization: 'none' });
    expect(raw.priority(-3, 1)).toBe(2);
    expect(raw.scales).toEqual({ td: 1, lp: 1 });
    const a = new HybridPriority();
    a.compute([1, 2, 3], 0.5);
    const b = new HybridPriority();
    b.setState(a.getState());
    expect(b.compute([4], 0.1)).toEqual(a.compute([4], 0.1));
  });

  it('validates everything before updating its statistics', () => {
    const hybrid = new HybridPriority();
    hybrid.compute([1], [1]);
    const before = hybrid.getState();
    expect(() => hybrid.compute([1, Number.NaN], [1, 1])).toThrow(/tdError NaN at position 1/);
    expect(() => hybrid.compute([1, 2], [1])).toThrow(/one per experience/);
    expect(hybrid.getState()).toEqual(before);
    expect(() => new HybridPriority({ decay: 1 })).toThrow(/decay/);
    expect(() => new HybridPriority({ normalization: 'z-score' as never })).toThrow(/normalization/);
  });

  it('feeds the replay buffer in the Sleep phase', () => {
    // #region hybrid-priority
    const buffer = new PrioritizedReplayBuffer<{ task: string }>({ capacity: 1_000, seed: 7 });
    for (const task of ['form', 'form', 'search', 'craft']) buffer.add({ task });
    // Learning progress per task, from the curriculum teacher (high = being learned right now).
    const learningProgress: Record<string, number> = { form: 0.02, search: 0.3, craft: 0.1 };
    const hybrid = new HybridPriority({ tdWeight: 0.7, lpWeight: 0.3 });

    const batch = buffer.sample(4);
    const tdErrors = [0.9, -0.1, 0.4, 1.5]; // from the learner, one per sampled experience
    const lp = batch.items.map((experience) => learningProgress[experience.task]!);
    buffer.updatePriorities(batch.indices, hybrid.compute(tdErrors, lp));
    // #endregion
    const priorities = Array.from(batch.indices, (i) => buffer.priorityOf(i));
    const scales = hybrid.scales;
    priorities.forEach((p, b) => {
      const expected =
        (0.7 * Math.abs(tdErrors[b]!)) / (scales.td + 1e-8) + (0.3 * lp[b]!) / (scales.lp + 1e-8);
      expect(p).toBeCloseTo(expected, 12);
    });
  });
});
