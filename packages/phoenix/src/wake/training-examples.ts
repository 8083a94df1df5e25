/**
 * Turns stored experiences into training examples for the embedded policy: the exact context the
 * policy read, the candidates it chose among, what it chose, and how that turned out (advantage
 * against its own value estimate, and the discounted return as the value target).
 */
import type { Experience } from '@chimera/ues';
import type { PolicyContext } from '../policy';
import { discountedReturns } from '../priorities';

export interface TrainingExample {
  experienceId: string;
  context: PolicyContext;
  candidates: string[];
  chosen: number;
  /** G_t - V(s_t): > 0 when the step led somewhere better than the policy expected. */
  advantage: number;
  /** G_t, the value head's regression target. */
  valueTarget: number;
  /** Whether the step's episode succeeded. */
  success: boolean;
}

/**
 * `episodes` maps an episode id to all its records (ordered by step), so each example's return
 * covers the rest of its episode even when the mini-batch holds only some of its steps.
 */
export function trainingExamples(
  picked: readonly Experience[],
  episodes: ReadonlyMap<string, readonly Experience[]>,
  gamma = 0.95,
): TrainingExample[] {
  const out: TrainingExample[] = [];
  const returnsByEpisode = new Map<string, number[]>();
  for (const e of picked) {
    const candidates = e.decision?.candidates?.map((c) => c.text);
    const chosen = e.decision?.chosenIndex;
    const context = e.metadata.extra?.policyContext as PolicyContext | undefined;
    if (!candidates || chosen === undefined || !context) continue;
    const records = episodes.get(e.episodeId) ?? [e];
    let returns = returnsByEpisode.get(e.episodeId);
    if (!returns) {
      returns = discountedReturns(
        records.map((r) => r.reward),
        gamma,
      );
      returnsByEpisode.set(e.episodeId, returns);
    }
    const position = records.findIndex((r) => r.id === e.id);
    const g = returns[position >= 0 ? position : 0] ?? e.reward;
    const last = records[records.length - 1];
    out.push({
      experienceId: e.id,
      context,
      candidates,
      chosen,
      advantage: g - (e.decision?.value ?? 0),
      valueTarget: g,
      success: last?.outcome === 'success',
    });
  }
  return out;
}
