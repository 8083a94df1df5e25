/**
 * Tables of the PostgreSQL experience store, in a schema of their own (default `ues`). Same
 * layout as the SQLite store (see ../sqlite/sqlite-schema.ts); times are timestamptz, tags text[],
 * and the record body is `json`, which keeps the appended text exactly (jsonb would reorder keys).
 */

export const POSTGRES_FORMAT_VERSION = 1;

export function postgresSchemaSql(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.ues_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.experiences (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  episode_id text NOT NULL,
  agent_id text NOT NULL,
  step integer NOT NULL,
  environment text NOT NULL,
  self_name text NOT NULL,
  self_version text NOT NULL,
  task_family text NOT NULL,
  reward double precision NOT NULL,
  outcome text,
  started_at timestamptz NOT NULL,
  tags text[] NOT NULL,
  schema_version integer NOT NULL,
  body json NOT NULL
);
CREATE INDEX IF NOT EXISTS experiences_episode ON ${s}.experiences (episode_id, agent_id, step);
CREATE INDEX IF NOT EXISTS experiences_started ON ${s}.experiences (started_at);
CREATE TABLE IF NOT EXISTS ${s}.episodes (
  seq bigserial PRIMARY KEY,
  episode_id text NOT NULL,
  agent_id text NOT NULL,
  environment text NOT NULL,
  task_id text,
  task_goal text NOT NULL,
  task_family text NOT NULL,
  difficulty double precision NOT NULL,
  self_name text NOT NULL,
  self_version text NOT NULL,
  outcome text NOT NULL,
  episode_return double precision NOT NULL,
  steps integer NOT NULL,
  tags text[] NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  end_experience_id text NOT NULL,
  UNIQUE (episode_id, agent_id)
);
CREATE INDEX IF NOT EXISTS episodes_ended ON ${s}.episodes (ended_at);
CREATE TABLE IF NOT EXISTS ${s}.episode_tags (
  tag text NOT NULL,
  episode_seq bigint NOT NULL,
  self_name text NOT NULL,
  self_version text NOT NULL,
  environment text NOT NULL,
  task_family text NOT NULL,
  difficulty double precision NOT NULL,
  agent_id text NOT NULL,
  outcome text NOT NULL,
  steps integer NOT NULL,
  episode_return double precision NOT NULL,
  ended_at timestamptz NOT NULL,
  PRIMARY KEY (tag, episode_seq)
);
CREATE INDEX IF NOT EXISTS episode_tags_self_tag ON ${s}.episode_tags (self_name, tag) INCLUDE (outcome, steps, episode_return);
CREATE TABLE IF NOT EXISTS ${s}.signals (
  experience_seq bigint NOT NULL,
  version integer NOT NULL,
  td_error double precision,
  learning_progress double precision,
  priority double precision,
  source text,
  written_at timestamptz NOT NULL,
  PRIMARY KEY (experience_seq, version)
);
CREATE TABLE IF NOT EXISTS ${s}.blobs (
  sha256 text PRIMARY KEY,
  mime text NOT NULL,
  size integer NOT NULL,
  bytes bytea NOT NULL
);
`;
}
