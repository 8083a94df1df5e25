/**
 * Learning-rate and epsilon schedules as plain data, so an optimizer's state (JSON) carries them
 * and a resumed run continues on the same curve. `scheduleValue` evaluates one at a step.
 */
import { QuZOError } from './quzo-error';

export interface ConstantSchedule {
  kind: 'constant';
  value: number;
}

/** Linear warmup from 0 over `warmupSteps`, then linear from `from` to `to` over the remaining steps. */
export interface LinearSchedule {
  kind: 'linear';
  from: number;
  to: number;
  steps: number;
  warmupSteps: number;
}

/** Linear warmup from 0, then half-cosine from `from` down to `to` at `steps`; `to` afterwards. */
export interface CosineSchedule {
  kind: 'cosine';
  from: number;
  to: number;
  steps: number;
  warmupSteps: number;
}

export type Schedule = ConstantSchedule | LinearSchedule | CosineSchedule;

function checkFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new QuZOError(`${name} must be a finite number, got ${v}`);
}

export function constantSchedule(value: number): ConstantSchedule {
  checkFinite('constantSchedule value', value);
  return { kind: 'constant', value };
}

function checkSteps(name: string, steps: number, warmupSteps: number): void {
  if (!Number.isInteger(steps) || steps <= 0) {
    throw new QuZOError(`${name}: steps must be a positive integer, got ${steps}`);
  }
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= steps) {
    throw new QuZOError(`${name}: warmupSteps must be an integer in [0, steps), got ${warmupSteps}`);
  }
}

export function linearSchedule(options: {
  from: number;
  to?: number;
  steps: number;
  warmupSteps?: number;
}): LinearSchedule {
  const s: LinearSchedule = {
    kind: 'linear',
    from: options.from,
    to: options.to ?? 0,
    steps: options.steps,
    warmupSteps: options.warmupSteps ?? 0,
  };
  checkFinite('linearSchedule from', s.from);
  checkFinite('linearSchedule to', s.to);
  checkSteps('linearSchedule', s.steps, s.warmupSteps);
  return s;
}

export function cosineSchedule(options: {
  from: number;
  to?: number;
  steps: number;
  warmupSteps?: number;
}): CosineSchedule {
  const s: CosineSchedule = {
    kind: 'cosine',
    from: options.from,
    to: options.to ?? 0,
    steps: options.steps,
    warmupSteps: options.warmupSteps ?? 0,
  };
  checkFinite('cosineSchedule from', s.from);
  checkFinite('cosineSchedule to', s.to);
  checkSteps('cosineSchedule', s.steps, s.warmupSteps);
  return s;
}

/** The schedule's value at `step` (0-based). A bare number is a constant schedule. */
export function scheduleValue(schedule: number | Schedule, step: number): number {
  if (typeof schedule === 'number') return schedule;
  if (schedule.kind === 'constant') return schedule.value;
  const { from, to, steps, warmupSteps } = schedule;
  if (step < warmupSteps) return (from * (step + 1)) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / (steps - warmupSteps));
  if (schedule.kind === 'linear') return from + (to - from) * progress;
  return to + ((from - to) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** Validates a schedule given as untyped data (from a saved state). */
export function parseSchedule(value: unknown, name: string): number | Schedule {
  if (typeof value === 'number') {
    checkFinite(name, value);
    return value;
  }
  const s = value as Partial<Schedule> | null;
  if (s && s.kind === 'constant' && typeof s.value === 'number') return constantSchedule(s.value);
  if (s && (s.kind === 'linear' || s.kind === 'cosine')) {
    const o = s as Partial<LinearSchedule>;
    if (typeof o.from === 'number' && typeof o.steps === 'number') {
      const args = { from: o.from, to: o.to ?? 0, steps: o.steps, warmupSteps: o.warmupSteps ?? 0 };
      return s.kind === 'linear' ? linearSchedule(args) : cosineSchedule(args);
    }
  }
  throw new QuZOError(
    `${name} must be a number or a schedule from constantSchedule/linearSchedule/cosineSchedule, got ${JSON.stringify(value)}`,
  );
}
