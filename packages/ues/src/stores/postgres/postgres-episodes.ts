/**
 * The episode summary written in the append transaction when an episode's ending record arrives
 * (rules in store/experience-store.ts; computed by store/episode-summary.ts, as in SQLite).
 */
import type { PoolClient } from 'pg';
import type { Experience } from '../../schema/experience-schema';
import { summarizeEpisode } from '../../store/episode-summary';

export async function writeEpisode(client: PoolClient, schema: string, end: Experience): Promise<void> {
  const t = (table: string) => `"${schema}".${table}`;
  const { rows } = await client.query<{
    step: number;
    self_name: string;
    self_version: string;
    tags: string[];
    reward: number;
    started_at: Date;
  }>(
    `SELECT step, self_name, self_version, tags, reward, started_at FROM ${t('experiences')} WHERE episode_id = $1 AND agent_id = $2`,
    [end.episodeId, end.agentId],
  );
  const e = summarizeEpisode(
    end,
    rows.map((s) => ({
      step: s.step,
      selfName: s.self_name,
      selfVersion: s.self_version,
      tags: s.tags,
      reward: s.reward,
      startedAtMs: s.started_at.getTime(),
    })),
  );
  const inserted = await client.query<{ seq: string }>(
    `INSERT INTO ${t('episodes')} (episode_id, agent_id, environment, task_id, task_goal, task_family, difficulty, ` +
      'self_name, self_version, outcome, episode_return, steps, tags, started_at, ended_at, end_experience_id) ' +
      'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING seq',
    [
      e.episodeId,
      e.agentId,
      e.environment,
      e.taskId,
      e.taskGoal,
      e.taskFamily,
      e.difficulty,
      e.selfName,
      e.selfVersion,
      e.outcome,
      e.episodeReturn,
      e.steps,
      e.tags,
      new Date(e.startedAtMs),
      new Date(e.endedAtMs),
      e.endExperienceId,
    ],
  );
  if (e.tags.length === 0) return;
  await client.query(
    `INSERT INTO ${t('episode_tags')} (tag, episode_seq, self_name, self_version, environment, task_family, ` +
      'difficulty, agent_id, outcome, steps, episode_return, ended_at) ' +
      'SELECT tag, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM unnest($1::text[]) AS tag',
    [
      e.tags,
      inserted.rows[0]!.seq,
      e.selfName,
      e.selfVersion,
      e.environment,
      e.taskFamily,
      e.difficulty,
      e.agentId,
      e.outcome,
      e.steps,
      e.episodeReturn,
      new Date(e.endedAtMs),
    ],
  );
}
