/**
 * What a run records in <output>/metrics.json: everything the report renders and the README quotes.
 */
export interface FamilyScore {
  environment: string;
  family: string;
  needsExperience: boolean;
  episodes: number;
  successes: number;
  rate: number;
}

export interface SelfScore {
  self: string;
  episodes: number;
  successes: number;
  rate: number;
}

export interface ObjectiveRecord {
  id: string;
  cycle: number;
  targetSelf: string;
  summary: string;
  evidence: Record<string, unknown>;
  kept: boolean;
  outcome: string;
}

export interface CycleMetrics {
  cycle: number;
  /** Held-out evaluation after this cycle's learning (cycle 0: before any learning). */
  heldout: FamilyScore[];
  /** Episodes the agent trained on during this cycle. */
  training: FamilyScore[];
  perSelf: SelfScore[];
  objectives: ObjectiveRecord[];
  /**
   * count: the Self changes the controller made inside this cycle's training episodes (a change
   * between episodes is not counted); meanLatencyMs: the mean adapter swap of the run so far.
   */
  swaps: { count: number; meanLatencyMs: number };
  timings: { phase: string; ms: number }[];
  memoryMb: { rss: number; heapUsed: number };
  multiAgent: Record<string, unknown>;
}

export interface RunMetrics {
  version: 1;
  seed: number;
  startedAt: string;
  config: Record<string, unknown>;
  memoryPlan: string[];
  randomBaseline: FamilyScore[];
  cycles: CycleMetrics[];
}

/** Success rate over a subset of families (episode-weighted). */
export function aggregate(scores: FamilyScore[], filter: (s: FamilyScore) => boolean = () => true): number {
  const picked = scores.filter(filter);
  const episodes = picked.reduce((s, f) => s + f.episodes, 0);
  return episodes === 0 ? 0 : picked.reduce((s, f) => s + f.successes, 0) / episodes;
}
