/**
 * Self-assessment (blueprint 5.2, "metacognitive knowledge"): success rate with a Wilson interval
 * and efficiency per (Self, task family or tag), read from the experience store's episode
 * summaries. "What is my success rate for tasks tagged form-filling?" is one row of this.
 */
import type { EpisodeFilter, ExperienceStore } from '@chimera/ues';

export interface AssessmentRow {
  self: string;
  /** The family or tag this row is about. */
  key: string;
  episodes: number;
  successes: number;
  successRate: number;
  /** Wilson score interval at 95%. */
  ci95: [number, number];
  meanSteps: number;
  /** Mean steps of successful episodes; null when none succeeded. */
  meanStepsToSuccess: number | null;
  /** Successes per step taken (higher is more efficient). */
  successesPerStep: number;
}

export async function assessSelves(
  store: ExperienceStore,
  options: { by?: 'family' | 'tag'; filter?: EpisodeFilter } = {},
): Promise<AssessmentRow[]> {
  const by = options.by ?? 'family';
  const rows = await store.successRates({
    groupBy: ['self', by],
    ...(options.filter ? { filter: options.filter } : {}),
  });
  return rows
    .filter((r) => r.key.self !== undefined && r.key[by] !== undefined)
    .map((r) => ({
      self: r.key.self!,
      key: r.key[by]!,
      episodes: r.episodes,
      successes: r.successes,
      successRate: r.rate,
      ci95: r.ci95,
      meanSteps: r.meanSteps,
      meanStepsToSuccess: r.meanStepsToSuccess,
      successesPerStep: r.meanSteps > 0 ? r.successes / (r.episodes * r.meanSteps) : 0,
    }))
    .sort(
      (a, b) => a.key.localeCompare(b.key) || b.successRate - a.successRate || a.self.localeCompare(b.self),
    );
}
