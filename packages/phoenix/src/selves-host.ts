/**
 * What the Phoenix cycle needs from the System of Selves. `@chimera/selves` provides it
 * (`createNanoSelves`); tests may supply a small in-memory one (see __fixtures__/file-selves.ts).
 */
import type { LoraWeights } from '@chimera/runtime-cuda';
import type { EpisodeResult, SelfSelector } from './episode-runner';

export interface SelvesHost {
  /** Selves that act in environments (the policy runs with their adapters). */
  actingSelves(): string[];
  /** The live adapter of a Self: what the policy scores with right now. */
  weights(self: string): LoraWeights;
  /** Current version label of a Self. */
  version(self: string): string;
  /**
   * Persist `weights` as a new version of `self`, tagged with the objective, and make it current;
   * returns the version. Idempotent per objective: committing the same objective again (a resumed
   * run) makes the version committed before current and returns it.
   */
  commit(self: string, weights: LoraWeights, info: { objectiveId: string; reason: string }): Promise<string>;
  /** Make `version` current again (rollback after a regression). */
  revert(self: string, version: string, reason: string): Promise<void>;
}

/** The Meta-Cognitive Controller, as the cycle drives it. */
export interface Controller extends SelfSelector {
  /** Learn from a finished episode (self-assessment, strategy selection, the MCC's own adapter). */
  observeEpisode(result: EpisodeResult, options: { learn: boolean }): Promise<void>;
  /** Serializable state (posteriors, random stream, adapter) for resumable runs. */
  saveState(): unknown;
  loadState(state: unknown): void;
  /** Switch between exploring (training) and exploiting (evaluation) choices. */
  setMode(mode: 'explore' | 'exploit'): void;
}
