/** Database rows of the PostgreSQL store back to the public shapes. */
import type { Outcome } from '../../schema/experience-schema';
import type { EpisodeSummary, SignalVersion } from '../../store/experience-store';

export interface EpisodeDbRow {
  episode_id: string;
  agent_id: string;
  environment: string;
  task_id: string | null;
  task_goal: string;
  task_family: string;
  difficulty: number;
  self_name: string;
  self_version: string;
  outcome: Outcome;
  episode_return: number;
  steps: number;
  tags: string[];
  started_at: Date;
  ended_at: Date;
  end_experience_id: string;
}

export interface SignalDbRow {
  id: string;
  version: number;
  td_error: number | null;
  learning_progress: number | null;
  priority: number | null;
  source: string | null;
  written_at: Date;
}

export function toSummary(r: EpisodeDbRow): EpisodeSummary {
  const task: EpisodeSummary['task'] = { goal: r.task_goal, family: r.task_family, difficulty: r.difficulty };
  if (r.task_id !== null) task.id = r.task_id;
  return {
    episodeId: r.episode_id,
    agentId: r.agent_id,
    environment: r.environment,
    task,
    self: { name: r.self_name, version: r.self_version },
    outcome: r.outcome,
    success: r.outcome === 'success',
    return: r.episode_return,
    steps: r.steps,
    tags: r.tags,
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at.toISOString(),
    endExperienceId: r.end_experience_id,
  };
}

export function toSignal(r: SignalDbRow): SignalVersion {
  return {
    id: r.id,
    version: r.version,
    tdError: r.td_error,
    learningProgress: r.learning_progress,
    priority: r.priority,
    source: r.source,
    writtenAt: r.written_at.toISOString(),
  };
}
