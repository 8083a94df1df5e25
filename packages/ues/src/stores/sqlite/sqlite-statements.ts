/**
 * Prepared statements of the SQLite store, and its two write transactions: appending a batch
 * (records, then the summaries of the episodes it ends) and appending signal versions.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { UnknownExperienceError } from '../../errors/unknown-experience-error';
import type { Experience } from '../../schema/experience-schema';
import { type EpisodeStepRow, summarizeEpisode } from '../../store/episode-summary';
import type { SignalVersion } from '../../store/experience-store';
import { toSignal } from './sqlite-rows';

/** A signal update checked by the store (numbers finite, time in ms). */
export interface PreparedSignal {
  id: string;
  tdError: number | null | undefined;
  learningProgress: number | null | undefined;
  priority: number | null | undefined;
  source: string | undefined;
  writtenAt: number;
}

export interface SqliteStatements {
  appendBatch: BetterSqlite3.Transaction<(rows: Experience[]) => void>;
  writeSignals: BetterSqlite3.Transaction<(updates: PreparedSignal[]) => SignalVersion[]>;
  getById: BetterSqlite3.Statement;
  existingIds: BetterSqlite3.Statement;
  episodeExists: BetterSqlite3.Statement;
  latestSignals: BetterSqlite3.Statement;
  signalHistory: BetterSqlite3.Statement;
}

export function prepareStatements(db: BetterSqlite3.Database): SqliteStatements {
  const insertExperience = db.prepare(
    'INSERT INTO experiences (id, episode_id, agent_id, step, environment, self_name, self_version, task_family, ' +
      'reward, outcome, started_at, tags, schema_version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const episodeSteps = db.prepare(
    'SELECT step, self_name, self_version, tags, reward, started_at FROM experiences WHERE episode_id = ? AND agent_id = ?',
  );
  const insertEpisode = db.prepare(
    'INSERT INTO episodes (episode_id, agent_id, environment, task_id, task_goal, task_family, difficulty, self_name, ' +
      'self_version, outcome, episode_return, steps, tags, started_at, ended_at, end_experience_id) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertEpisodeTag = db.prepare(
    'INSERT INTO episode_tags (tag, episode_seq, self_name, self_version, environment, task_family, difficulty, ' +
      'agent_id, outcome, steps, episode_return, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const seqOf = db.prepare('SELECT seq FROM experiences WHERE id = ?').pluck();
  const lastSignal = db.prepare(
    'SELECT version, td_error, learning_progress, priority, source FROM signals WHERE experience_seq = ? ORDER BY version DESC LIMIT 1',
  );
  const insertSignal = db.prepare(
    'INSERT INTO signals (experience_seq, version, td_error, learning_progress, priority, source, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  const writeEpisode = (end: Experience) => {
    const steps: EpisodeStepRow[] = (
      episodeSteps.all(end.episodeId, end.agentId) as {
        step: number;
        self_name: string;
        self_version: string;
        tags: string;
        reward: number;
        started_at: number;
      }[]
    ).map((s) => ({
      step: s.step,
      selfName: s.self_name,
      selfVersion: s.self_version,
      tags: JSON.parse(s.tags) as string[],
      reward: s.reward,
      startedAtMs: s.started_at,
    }));
    const e = summarizeEpisode(end, steps);
    const info = insertEpisode.run(
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
      JSON.stringify(e.tags),
      e.startedAtMs,
      e.endedAtMs,
      e.endExperienceId,
    );
    for (const tag of e.tags) {
      insertEpisodeTag.run(
        tag,
        info.lastInsertRowid,
        e.selfName,
        e.selfVersion,
        e.environment,
        e.taskFamily,
        e.difficulty,
        e.agentId,
        e.outcome,
        e.steps,
        e.episodeReturn,
        e.endedAtMs,
      );
    }
  };

  return {
    appendBatch: db.transaction((rows: Experience[]) => {
      for (const r of rows) {
        const m = r.metadata;
        insertExperience.run(
          r.id,
          r.episodeId,
          r.agentId,
          r.step,
          m.environment,
          m.self.name,
          m.self.version,
          m.task.family,
          r.reward,
          r.outcome ?? null,
          Date.parse(m.timestamps.startedAt),
          JSON.stringify(m.tags),
          r.schemaVersion,
          JSON.stringify(r),
        );
      }
      // Ending records after all inserts: the summary must see every step of this batch.
      for (const r of rows) if (r.outcome !== undefined) writeEpisode(r);
    }),
    writeSignals: db.transaction((updates: PreparedSignal[]) => {
      const missing = updates.filter((u) => seqOf.get(u.id) === undefined).map((u) => u.id);
      if (missing.length) throw new UnknownExperienceError(missing);
      return updates.map((u) => {
        const seq = seqOf.get(u.id) as number;
        const prev = lastSignal.get(seq) as
          | {
              version: number;
              td_error: number | null;
              learning_progress: number | null;
              priority: number | null;
              source: string | null;
            }
          | undefined;
        const row = {
          id: u.id,
          version: (prev?.version ?? 0) + 1,
          td_error: u.tdError === undefined ? (prev?.td_error ?? null) : u.tdError,
          learning_progress:
            u.learningProgress === undefined ? (prev?.learning_progress ?? null) : u.learningProgress,
          priority: u.priority === undefined ? (prev?.priority ?? null) : u.priority,
          source: u.source ?? null,
          written_at: u.writtenAt,
        };
        insertSignal.run(
          seq,
          row.version,
          row.td_error,
          row.learning_progress,
          row.priority,
          row.source,
          row.written_at,
        );
        return toSignal(row);
      });
    }),
    getById: db.prepare('SELECT body, schema_version FROM experiences WHERE id = ?'),
    existingIds: db.prepare('SELECT id FROM experiences WHERE id IN (SELECT value FROM json_each(?))'),
    episodeExists: db.prepare('SELECT 1 FROM episodes WHERE episode_id = ? AND agent_id = ?'),
    latestSignals: db.prepare(
      'SELECT x.id, s.version, s.td_error, s.learning_progress, s.priority, s.source, s.written_at ' +
        'FROM experiences x JOIN signals s ON s.experience_seq = x.seq ' +
        'WHERE x.id IN (SELECT value FROM json_each(?)) ' +
        'AND s.version = (SELECT MAX(version) FROM signals m WHERE m.experience_seq = x.seq)',
    ),
    signalHistory: db.prepare(
      'SELECT x.id, s.version, s.td_error, s.learning_progress, s.priority, s.source, s.written_at ' +
        'FROM experiences x JOIN signals s ON s.experience_seq = x.seq WHERE x.id = ? ORDER BY s.version',
    ),
  };
}
