import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineSchedule, linearSchedule, parseSchedule, scheduleValue } from './schedules';

describe('schedules', () => {
  it('constant, linear and cosine take their documented values', () => {
    expect(scheduleValue(0.1, 50)).toBe(0.1);
    expect(scheduleValue(constantSchedule(2), 7)).toBe(2);
    const linear = linearSchedule({ from: 1, to: 0, steps: 10 });
    expect(scheduleValue(linear, 0)).toBe(1);
    expect(scheduleValue(linear, 5)).toBeCloseTo(0.5, 12);
    expect(scheduleValue(linear, 10)).toBe(0);
    expect(scheduleValue(linear, 100)).toBe(0);
    const cosine = cosineSchedule({ from: 1, to: 0.1, steps: 104, warmupSteps: 4 });
    expect(scheduleValue(cosine, 0)).toBeCloseTo(0.25, 12);
    expect(scheduleValue(cosine, 3)).toBeCloseTo(1, 12);
    expect(scheduleValue(cosine, 4)).toBeCloseTo(1, 12);
    expect(scheduleValue(cosine, 54)).toBeCloseTo(0.55, 12);
    expect(scheduleValue(cosine, 104)).toBeCloseTo(0.1, 12);
  });

  it('round-trips through JSON and rejects malformed schedules with a clear message', () => {
    const s = cosineSchedule({ from: 3e-4, steps: 10 });
    expect(parseSchedule(JSON.parse(JSON.stringify(s)), 'lr')).toEqual(s);
    expect(() => parseSchedule({ kind: 'exp' }, 'lr')).toThrow(/lr must be a number or a schedule/);
    expect(() => linearSchedule({ from: 1, steps: 0 })).toThrow(/steps must be a positive integer/);
    expect(() => cosineSchedule({ from: 1, steps: 5, warmupSteps: 5 })).toThrow(/warmupSteps/);
    expect(() => constantSchedule(Number.NaN)).toThrow(/finite/);
  });
});
