import { UesError } from '../errors/ues-error';
import type { TimeBound } from './experience-store';

/** Milliseconds since the epoch for a filter bound (Date, ISO string, or ms number). */
export function timeBoundMs(bound: TimeBound, field: string): number {
  const ms = bound instanceof Date ? bound.getTime() : typeof bound === 'number' ? bound : Date.parse(bound);
  if (!Number.isFinite(ms)) throw new UesError(`filter ${field}: ${String(bound)} is not a date`);
  return ms;
}

export function outcomeList<T extends string>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
