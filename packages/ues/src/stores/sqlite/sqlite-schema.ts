/**
 * Tables of the SQLite experience store. `body` (the full JSON record) is the source of truth;
 * the other columns are copies for filtering. Episode summaries are written once, when an
 * episode's ending record is appended, and `episode_tags` repeats the fields the success-rate
 * query groups and filters on, so that query is one covering-index scan with no join.
 */

/** Layout version of these tables (not the record schema version). */
export const SQLITE_FORMAT_VERSION = 1;

export const SQLITE_SCHEMA = `
CREATE TABLE ues_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE experiences (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  episode_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  step INTEGER NOT NULL,
  environment TEXT NOT NULL,
  self_name TEXT NOT NULL,
  self_version TEXT NOT NULL,
  task_family TEXT NOT NULL,
  reward REAL NOT NULL,
  outcome TEXT,
  started_at INTEGER NOT NULL,
  tags TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX experiences_episode ON experiences (episode_id, agent_id, step);
CREATE INDEX experiences_started ON experiences (started_at);
CREATE TABLE episodes (
  seq INTEGER PRIMARY KEY,
  episode_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  environment TEXT NOT NULL,
  task_id TEXT,
  task_goal TEXT NOT NULL,
  task_family TEXT NOT NULL,
  difficulty REAL NOT NULL,
  self_name TEXT NOT NULL,
  self_version TEXT NOT NULL,
  outcome TEXT NOT NULL,
  episode_return REAL NOT NULL,
  steps INTEGER NOT NULL,
  tags TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  end_experience_id TEXT NOT NULL,
  UNIQUE (episode_id, agent_id)
);
CREATE INDEX episodes_ended ON episodes (ended_at);
CREATE TABLE episode_tags (
  tag TEXT NOT NULL,
  episode_seq INTEGER NOT NULL,
  self_name TEXT NOT NULL,
  self_version TEXT NOT NULL,
  environment TEXT NOT NULL,
  task_family TEXT NOT NULL,
  difficulty REAL NOT NULL,
  agent_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  steps INTEGER NOT NULL,
  episode_return REAL NOT NULL,
  ended_at INTEGER NOT NULL,
  PRIMARY KEY (tag, episode_seq)
) WITHOUT ROWID;
CREATE INDEX episode_tags_self_tag ON episode_tags (self_name, tag, outcome, steps, episode_return);
CREATE TABLE signals (
  experience_seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  td_error REAL,
  learning_progress REAL,
  priority REAL,
  source TEXT,
  written_at INTEGER NOT NULL,
  PRIMARY KEY (experience_seq, version)
) WITHOUT ROWID;
`;
