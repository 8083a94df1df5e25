/**
 * The episode summary both stores write when an episode's ending record is appended (the rules
 * are in experience-store.ts). Kept in one place so SQLite and PostgreSQL agree to the step.
 */
import type { Experience, Outcome } from '../schema/experience-schema';

/** What a store reads back about each earlier step of the episode. */
export interface EpisodeStepRow {
  step: number;
  selfName: string;
  selfVersion: string;
  tags: string[];
  reward: number;
  startedAtMs: number;
}

export interface EpisodeRow {
  episodeId: string;
  agentId: string;
  environment: string;
  taskId: string | null;
  taskGoal: string;
  taskFamily: string;
  difficulty: number;
  selfName: string;
  selfVersion: string;
  outcome: Outcome;
  episodeReturn: number;
  steps: number;
  tags: string[];
  startedAtMs: number;
  endedAtMs: number;
  endExperienceId: string;
}

/** `steps` are the episode's stored records, the ending one included. */
export function summarizeEpisode(end: Experience, steps: EpisodeStepRow[]): EpisodeRow {
  const counts = new Map<string, { n: number; lastStep: number; name: string; version: string }>();
  const tags = new Set<string>();
  let rewardSum = 0;
  let startedAtMs = Number.POSITIVE_INFINITY;
  for (const s of steps) {
    const key = `${s.selfName}\u0000${s.selfVersion}`;
    const c = counts.get(key);
    if (c) {
      c.n++;
      c.lastStep = Math.max(c.lastStep, s.step);
    } else {
      counts.set(key, { n: 1, lastStep: s.step, name: s.selfName, version: s.selfVersion });
    }
    for (const t of s.tags) tags.add(t);
    rewardSum += s.reward;
    startedAtMs = Math.min(startedAtMs, s.startedAtMs);
  }
  let self = { name: end.metadata.self.name, version: end.metadata.self.version };
  let best = { n: -1, lastStep: -1 };
  for (const c of counts.values()) {
    if (c.n > best.n || (c.n === best.n && c.lastStep > best.lastStep)) {
      best = c;
      self = { name: c.name, version: c.version };
    }
  }
  const endStarted = Date.parse(end.metadata.timestamps.startedAt);
  const endedAtMs = end.metadata.timestamps.endedAt
    ? Date.parse(end.metadata.timestamps.endedAt)
    : endStarted;
  return {
    episodeId: end.episodeId,
    agentId: end.agentId,
    environment: end.metadata.environment,
    taskId: end.metadata.task.id ?? null,
    taskGoal: end.metadata.task.goal,
    taskFamily: end.metadata.task.family,
    difficulty: end.metadata.task.difficulty,
    selfName: self.name,
    selfVersion: self.version,
    outcome: end.outcome as Outcome,
    episodeReturn: end.episodeReturn ?? rewardSum,
    steps: end.step + 1,
    tags: [...tags],
    startedAtMs: Number.isFinite(startedAtMs) ? startedAtMs : endStarted,
    endedAtMs,
    endExperienceId: end.id,
  };
}
