/**
 * The one interface every experience store implements (SQLite embedded default, PostgreSQL for
 * several rollout workers). Replay, reflection and self-assessment code against this only.
 *
 * Episodes: the record that ends an episode (terminal or truncated) carries `outcome`; when it is
 * appended, the store writes an episode summary in the same transaction. An episode succeeded
 * when that outcome is `success`. Its self is the self that took most of its steps (ties: the one
 * that acted last), its tags are the union of its records' tags, its steps are the ending
 * record's step + 1, and its return is `episodeReturn` or else the sum of its records' rewards.
 */
import type { BlobStore } from '../blobs/blob-store';
import type { Experience, ExperienceInput, Outcome } from '../schema/experience-schema';

export type TimeBound = Date | string | number;

/** Which records. All given fields must match (AND). */
export interface ExperienceFilter {
  ids?: string[];
  episodeId?: string;
  agentId?: string;
  environment?: string;
  /** Name of the active self. */
  self?: string;
  selfVersion?: string;
  taskFamily?: string;
  /** Records carrying this tag. */
  tag?: string;
  /** `metadata.timestamps.startedAt` at or after / before. */
  since?: TimeBound;
  until?: TimeBound;
  minReward?: number;
  maxReward?: number;
  /** Only episode-ending records with this outcome (or one of these). */
  outcome?: Outcome | Outcome[];
  /** Records of episodes that ended with this outcome (any step of them). */
  episodeOutcome?: Outcome | Outcome[];
}

export interface QueryOptions {
  limit?: number;
  offset?: number;
  /** By insertion order (which follows time for one writer); default `asc`. */
  order?: 'asc' | 'desc';
}

/** Which episodes (summaries). */
export interface EpisodeFilter {
  episodeId?: string;
  agentId?: string;
  environment?: string;
  self?: string;
  selfVersion?: string;
  taskFamily?: string;
  tag?: string;
  outcome?: Outcome | Outcome[];
  /** Episode end time at or after / before. */
  since?: TimeBound;
  until?: TimeBound;
}

export interface EpisodeSummary {
  episodeId: string;
  agentId: string;
  environment: string;
  task: { id?: string; goal: string; family: string; difficulty: number };
  self: { name: string; version: string };
  outcome: Outcome;
  success: boolean;
  return: number;
  steps: number;
  tags: string[];
  startedAt: string;
  endedAt: string;
  /** Id of the record that ended the episode. */
  endExperienceId: string;
}

export type SuccessRateDimension = 'self' | 'selfVersion' | 'tag' | 'family' | 'environment' | 'difficulty';

export interface SuccessRateRow {
  key: Partial<Record<SuccessRateDimension, string>>;
  episodes: number;
  successes: number;
  rate: number;
  /** Wilson score interval for the success rate at 95%. */
  ci95: [number, number];
  /** Mean steps per episode (all outcomes). */
  meanSteps: number;
  /** Mean steps of the successful episodes (efficiency); null when none succeeded. */
  meanStepsToSuccess: number | null;
  meanReturn: number;
}

export interface SignalUpdate {
  id: string;
  tdError?: number;
  learningProgress?: number;
  priority?: number;
  /** Who computed it, e.g. `sleep-cycle-12`. */
  source?: string;
  /** When it was computed; defaults to now (kept as given by JSONL import). */
  writtenAt?: string;
}

/**
 * One version of an experience's learning signals. Each write appends a version that carries the
 * fields it set plus, for the fields it left out, the previous version's values.
 */
export interface SignalVersion {
  id: string;
  version: number;
  tdError: number | null;
  learningProgress: number | null;
  priority: number | null;
  source: string | null;
  writtenAt: string;
}

export interface ExperienceStore {
  /** Where images live; records hold their references. */
  readonly blobs: BlobStore;
  /**
   * Validates every record, then commits the whole batch atomically. Resolves (with the ids, in
   * input order) only after the commit; rejects with nothing written on any bad record.
   */
  append(records: ExperienceInput[]): Promise<string[]>;
  get(id: string): Promise<Experience | undefined>;
  query(filter?: ExperienceFilter & QueryOptions): Promise<Experience[]>;
  /** Streams matching records page by page, in insertion order, without loading them all. */
  iterate(
    filter?: ExperienceFilter & { order?: 'asc' | 'desc'; pageSize?: number },
  ): AsyncIterable<Experience>;
  count(filter?: ExperienceFilter): Promise<number>;
  successRates(options: {
    groupBy: SuccessRateDimension[];
    filter?: EpisodeFilter;
  }): Promise<SuccessRateRow[]>;
  /** Failed (and by default truncated) episodes, most recent first. */
  recentFailures(options?: {
    limit?: number;
    filter?: EpisodeFilter;
    includeTruncated?: boolean;
  }): Promise<EpisodeSummary[]>;
  /** Episode summaries, most recent end first unless `order: 'asc'`. */
  episodes(filter?: EpisodeFilter & QueryOptions): Promise<EpisodeSummary[]>;
  /** Appends one new signal version per update (atomically); the records themselves never change. */
  writeSignals(updates: SignalUpdate[]): Promise<SignalVersion[]>;
  /** The latest signal version of each id that has one. */
  latestSignals(ids: string[]): Promise<Map<string, SignalVersion>>;
  /** Every signal version of one experience, oldest first. */
  signalHistory(id: string): Promise<SignalVersion[]>;
  close(): Promise<void>;
}
