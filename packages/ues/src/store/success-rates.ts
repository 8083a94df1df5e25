/** The success-rate grouping and row shape shared by both stores (they differ only in SQL dialect). */
import { UesError } from '../errors/ues-error';
import type { SuccessRateDimension, SuccessRateRow } from './experience-store';
import { wilsonInterval } from './wilson';

/** Column of `episodes` / `episode_tags` for each dimension. */
export const GROUP_COLUMNS: Record<SuccessRateDimension, string> = {
  self: 'self_name',
  selfVersion: 'self_version',
  tag: 'tag',
  family: 'task_family',
  environment: 'environment',
  difficulty: 'difficulty',
};

export function checkGroupBy(dims: SuccessRateDimension[]): void {
  for (const d of dims) {
    if (!Object.hasOwn(GROUP_COLUMNS, d)) {
      throw new UesError(
        `successRates: cannot group by ${String(d)} (use ${Object.keys(GROUP_COLUMNS).join(', ')})`,
      );
    }
  }
}

/**
 * One aggregate row (`k0..kN` group keys, `n` episodes, `s` successes, `ms` mean steps, `mss` mean
 * steps of successes, `mr` mean return) to the public shape.
 */
export function toSuccessRateRow(
  dims: SuccessRateDimension[],
  r: Record<string, number | string | null>,
): SuccessRateRow {
  const key: SuccessRateRow['key'] = {};
  dims.forEach((d, i) => {
    const value = r[`k${i}`];
    key[d] = d === 'difficulty' ? String(Number(value)) : String(value);
  });
  const episodes = Number(r.n);
  const successes = Number(r.s);
  return {
    key,
    episodes,
    successes,
    rate: successes / episodes,
    ci95: wilsonInterval(successes, episodes),
    meanSteps: Number(r.ms),
    meanStepsToSuccess: r.mss === null || r.mss === undefined ? null : Number(r.mss),
    meanReturn: Number(r.mr),
  };
}
