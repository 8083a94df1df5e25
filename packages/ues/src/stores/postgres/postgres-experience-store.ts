/**
 * The experience store on PostgreSQL, for several rollout workers (on different machines) writing
 * to one memory. Same interface and same answers as the SQLite store; every batch is one
 * transaction, and signal versions are serialized per experience with row locks.
 */

import type { Pool, PoolClient, PoolConfig } from 'pg';
import pg from 'pg';
import type { BlobStore } from '../../blobs/blob-store';
import { DuplicateExperienceError } from '../../errors/duplicate-experience-error';
import { EpisodeConflictError } from '../../errors/episode-conflict-error';
import { StoreClosedError } from '../../errors/store-closed-error';
import { UesError } from '../../errors/ues-error';
import { UnknownExperienceError } from '../../errors/unknown-experience-error';
import type { Experience, ExperienceInput, Outcome } from '../../schema/experience-schema';
import { prepareExperience, type ValidationMode } from '../../schema/validate';
import { decodeExperience } from '../../store/decode';
import type {
  EpisodeFilter,
  EpisodeSummary,
  ExperienceFilter,
  ExperienceStore,
  QueryOptions,
  SignalUpdate,
  SignalVersion,
  SuccessRateDimension,
  SuccessRateRow,
} from '../../store/experience-store';
import { checkGroupBy, GROUP_COLUMNS, toSuccessRateRow } from '../../store/success-rates';
import { PostgresBlobStore } from './postgres-blob-store';
import { writeEpisode } from './postgres-episodes';
import { pgEpisodeWhere, pgExperienceWhere, pgLimit } from './postgres-filters';
import { type EpisodeDbRow, type SignalDbRow, toSignal, toSummary } from './postgres-rows';
import { POSTGRES_FORMAT_VERSION, postgresSchemaSql } from './postgres-schema';

export interface PostgresStoreOptions {
  /** e.g. `postgres://user@host:5432/db`; or give `pool` / `poolConfig`. */
  connectionString?: string;
  poolConfig?: PoolConfig;
  /** An existing pool; the store then does not end it on close. */
  pool?: Pool;
  /** PostgreSQL schema holding the tables (created if missing). Default `ues`. */
  schema?: string;
  /** Default: blobs in the same database (table `blobs`). */
  blobs?: BlobStore;
  validation?: ValidationMode;
}

const pgCode = (error: unknown) => (error as { code?: string })?.code;
const pgConstraint = (error: unknown) => (error as { constraint?: string })?.constraint ?? '';

export class PostgresExperienceStore implements ExperienceStore {
  readonly blobs: BlobStore;
  readonly schema: string;
  readonly #pool: Pool;
  readonly #ownsPool: boolean;
  readonly #validation: ValidationMode;
  #closed = false;

  private constructor(pool: Pool, ownsPool: boolean, schema: string, options: PostgresStoreOptions) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.schema = schema;
    this.#validation = options.validation ?? 'fast';
    this.blobs = options.blobs ?? new PostgresBlobStore(pool, schema);
  }

  /** Connects, creates the tables if missing (safe when several workers start at once). */
  static async open(options: PostgresStoreOptions = {}): Promise<PostgresExperienceStore> {
    const schema = options.schema ?? 'ues';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new UesError(
        `PostgreSQL schema name ${JSON.stringify(schema)}: use lowercase letters, digits and _`,
      );
    }
    const ownsPool = options.pool === undefined;
    const pool =
      options.pool ?? new pg.Pool({ connectionString: options.connectionString, ...options.poolConfig });
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // One creator at a time across workers: CREATE ... IF NOT EXISTS races on the catalog.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`chimera-ues:${schema}`]);
        await client.query(postgresSchemaSql(schema));
        await client.query(
          `INSERT INTO "${schema}".ues_meta (key, value) VALUES ('format', $1) ON CONFLICT (key) DO NOTHING`,
          [String(POSTGRES_FORMAT_VERSION)],
        );
        const { rows } = await client.query<{ value: string }>(
          `SELECT value FROM "${schema}".ues_meta WHERE key = 'format'`,
        );
        const format = Number(rows[0]?.value);
        if (format > POSTGRES_FORMAT_VERSION) {
          throw new UesError(
            `schema ${schema} was written by a newer @chimera/ues (store format ${format}, this release knows ${POSTGRES_FORMAT_VERSION}); upgrade to open it`,
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      if (ownsPool) await pool.end().catch(() => {});
      throw error;
    }
    return new PostgresExperienceStore(pool, ownsPool, schema, options);
  }

  #t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  #open(what: string): void {
    if (this.#closed) throw new StoreClosedError(what);
  }

  async #transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async append(records: ExperienceInput[]): Promise<string[]> {
    this.#open('append');
    if (!Array.isArray(records)) throw new UesError('append takes an array of records (a batch)');
    if (records.length === 0) return [];
    const now = new Date().toISOString();
    const rows = records.map((r, i) => prepareExperience(r, i, now, this.#validation));
    const ids = rows.map((r) => r.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dupes.length) throw new DuplicateExperienceError(dupes);
    try {
      await this.#transaction(async (client) => {
        await client.query(
          `INSERT INTO ${this.#t('experiences')} (id, episode_id, agent_id, step, environment, self_name, self_version, ` +
            'task_family, reward, outcome, started_at, tags, schema_version, body) ' +
            'SELECT u.id, u.episode_id, u.agent_id, u.step, u.environment, u.self_name, u.self_version, u.task_family, ' +
            'u.reward, u.outcome, u.started_at, ARRAY(SELECT json_array_elements_text(u.tags::json)), u.schema_version, u.body::json ' +
            'FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], ' +
            '$9::float8[], $10::text[], $11::timestamptz[], $12::text[], $13::int[], $14::text[]) WITH ORDINALITY ' +
            'AS u(id, episode_id, agent_id, step, environment, self_name, self_version, task_family, reward, outcome, ' +
            'started_at, tags, schema_version, body, n) ORDER BY u.n',
          [
            ids,
            rows.map((r) => r.episodeId),
            rows.map((r) => r.agentId),
            rows.map((r) => r.step),
            rows.map((r) => r.metadata.environment),
            rows.map((r) => r.metadata.self.name),
            rows.map((r) => r.metadata.self.version),
            rows.map((r) => r.metadata.task.family),
            rows.map((r) => r.reward),
            rows.map((r) => r.outcome ?? null),
            rows.map((r) => r.metadata.timestamps.startedAt),
            rows.map((r) => JSON.stringify(r.metadata.tags)),
            rows.map((r) => r.schemaVersion),
            rows.map((r) => JSON.stringify(r)),
          ],
        );
        for (const r of rows) if (r.outcome !== undefined) await writeEpisode(client, this.schema, r);
      });
    } catch (error) {
      throw await this.#explainWriteError(error, rows);
    }
    return ids;
  }

  async #explainWriteError(error: unknown, rows: Experience[]): Promise<unknown> {
    if (pgCode(error) !== '23505') return error;
    const constraint = pgConstraint(error);
    if (constraint.startsWith('experiences_id')) {
      const { rows: stored } = await this.#pool.query<{ id: string }>(
        `SELECT id FROM ${this.#t('experiences')} WHERE id = ANY($1::text[])`,
        [rows.map((r) => r.id)],
      );
      return new DuplicateExperienceError(
        stored.map((s) => s.id),
        { cause: error },
      );
    }
    if (constraint.startsWith('episodes_episode_id')) {
      const ends = rows.filter((r) => r.outcome !== undefined);
      const key = (r: Experience) => `${r.episodeId}\u0000${r.agentId}`;
      let conflict = ends.find((r, i) => ends.findIndex((o) => key(o) === key(r)) !== i);
      if (!conflict) {
        for (const r of ends) {
          const { rowCount } = await this.#pool.query(
            `SELECT 1 FROM ${this.#t('episodes')} WHERE episode_id = $1 AND agent_id = $2`,
            [r.episodeId, r.agentId],
          );
          if (rowCount) {
            conflict = r;
            break;
          }
        }
      }
      return new EpisodeConflictError(conflict?.episodeId ?? '?', conflict?.agentId ?? '?', { cause: error });
    }
    return error;
  }

  async get(id: string): Promise<Experience | undefined> {
    this.#open('get');
    const { rows } = await this.#pool.query<{ body: string; schema_version: number }>(
      `SELECT body::text AS body, schema_version FROM ${this.#t('experiences')} WHERE id = $1`,
      [id],
    );
    return rows[0] ? decodeExperience(rows[0].body, rows[0].schema_version) : undefined;
  }

  async query(filter: ExperienceFilter & QueryOptions = {}): Promise<Experience[]> {
    this.#open('query');
    const params: unknown[] = [];
    const where = pgExperienceWhere(filter, params, this.schema);
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    const { rows } = await this.#pool.query<{ body: string; schema_version: number }>(
      `SELECT body::text AS body, schema_version FROM ${this.#t('experiences')} x WHERE ${where} ORDER BY x.seq ${order}${pgLimit(filter, params)}`,
      params,
    );
    return rows.map((r) => decodeExperience(r.body, r.schema_version));
  }

  async *iterate(
    filter: ExperienceFilter & { order?: 'asc' | 'desc'; pageSize?: number } = {},
  ): AsyncIterable<Experience> {
    this.#open('iterate');
    const desc = filter.order === 'desc';
    const pageSize = Math.max(1, filter.pageSize ?? 512);
    let cursor: string = desc ? '9223372036854775807' : '0';
    for (;;) {
      this.#open('iterate');
      const params: unknown[] = [cursor];
      const where = pgExperienceWhere(filter, params, this.schema);
      params.push(pageSize);
      const { rows } = await this.#pool.query<{ seq: string; body: string; schema_version: number }>(
        `SELECT seq, body::text AS body, schema_version FROM ${this.#t('experiences')} x ` +
          `WHERE x.seq ${desc ? '<' : '>'} $1::bigint AND (${where}) ORDER BY x.seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
        params,
      );
      for (const r of rows) yield decodeExperience(r.body, r.schema_version);
      if (rows.length < pageSize) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  async count(filter: ExperienceFilter = {}): Promise<number> {
    this.#open('count');
    const params: unknown[] = [];
    const where = pgExperienceWhere(filter, params, this.schema);
    const { rows } = await this.#pool.query<{ n: number }>(
      `SELECT COUNT(*)::float8 AS n FROM ${this.#t('experiences')} x WHERE ${where}`,
      params,
    );
    return rows[0]!.n;
  }

  async successRates(options: {
    groupBy: SuccessRateDimension[];
    filter?: EpisodeFilter;
  }): Promise<SuccessRateRow[]> {
    this.#open('successRates');
    const dims = options.groupBy;
    checkGroupBy(dims);
    const filter = options.filter ?? {};
    const table = dims.includes('tag') || filter.tag !== undefined ? 'episode_tags' : 'episodes';
    const alias = table === 'episodes' ? 'e' : 't';
    const params: unknown[] = [];
    const where = pgEpisodeWhere(filter, params, this.schema, table);
    const cols = dims.map((d) => `${alias}.${GROUP_COLUMNS[d]}`);
    const select = cols.map((c, i) => `${c}::text AS k${i}`).join(', ');
    const sql =
      `SELECT ${select}${cols.length ? ', ' : ''}COUNT(*)::float8 AS n, ` +
      `SUM(CASE WHEN ${alias}.outcome = 'success' THEN 1 ELSE 0 END)::float8 AS s, AVG(${alias}.steps)::float8 AS ms, ` +
      `AVG(CASE WHEN ${alias}.outcome = 'success' THEN ${alias}.steps END)::float8 AS mss, ` +
      `AVG(${alias}.episode_return)::float8 AS mr FROM ${this.#t(table)} ${alias} WHERE ${where}` +
      (cols.length ? ` GROUP BY ${cols.join(', ')} ORDER BY ${cols.join(', ')}` : '');
    const { rows } = await this.#pool.query<Record<string, number | string | null>>(sql, params);
    return rows.filter((r) => Number(r.n) > 0).map((r) => toSuccessRateRow(dims, r));
  }

  async recentFailures(
    options: { limit?: number; filter?: EpisodeFilter; includeTruncated?: boolean } = {},
  ): Promise<EpisodeSummary[]> {
    const outcome: Outcome[] = options.includeTruncated === false ? ['failure'] : ['failure', 'truncated'];
    return this.episodes({ ...options.filter, outcome, order: 'desc', limit: options.limit ?? 20 });
  }

  async episodes(filter: EpisodeFilter & QueryOptions = {}): Promise<EpisodeSummary[]> {
    this.#open('episodes');
    const params: unknown[] = [];
    const where = pgEpisodeWhere(filter, params, this.schema, 'episodes');
    const order = filter.order === 'asc' ? 'ASC' : 'DESC';
    const { rows } = await this.#pool.query<EpisodeDbRow>(
      `SELECT * FROM ${this.#t('episodes')} e WHERE ${where} ORDER BY e.ended_at ${order}, e.seq ${order}${pgLimit(filter, params)}`,
      params,
    );
    return rows.map(toSummary);
  }

  async writeSignals(updates: SignalUpdate[]): Promise<SignalVersion[]> {
    this.#open('writeSignals');
    if (updates.length === 0) return [];
    const now = new Date();
    for (const u of updates) {
      for (const field of ['tdError', 'learningProgress', 'priority'] as const) {
        const v = u[field];
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
          throw new UesError(`signal ${field} for ${u.id} must be a finite number (got ${String(v)})`);
        }
      }
      if (u.writtenAt !== undefined && Number.isNaN(Date.parse(u.writtenAt))) {
        throw new UesError(`signal writtenAt for ${u.id} is not a date`);
      }
    }
    return this.#transaction(async (client) => {
      // Row locks on the experiences serialize concurrent writers of the same ids (versions stay 1, 2, 3...).
      const { rows: found } = await client.query<{ seq: string; id: string }>(
        `SELECT seq, id FROM ${this.#t('experiences')} WHERE id = ANY($1::text[]) ORDER BY seq FOR UPDATE`,
        [updates.map((u) => u.id)],
      );
      const seqOf = new Map(found.map((f) => [f.id, f.seq]));
      const missing = updates.filter((u) => !seqOf.has(u.id)).map((u) => u.id);
      if (missing.length) throw new UnknownExperienceError(missing);
      const out: SignalVersion[] = [];
      for (const u of updates) {
        const seq = seqOf.get(u.id)!;
        const { rows: prev } = await client.query<Omit<SignalDbRow, 'id' | 'written_at'>>(
          `SELECT version, td_error, learning_progress, priority, source FROM ${this.#t('signals')} WHERE experience_seq = $1 ORDER BY version DESC LIMIT 1`,
          [seq],
        );
        const p = prev[0];
        const row: SignalDbRow = {
          id: u.id,
          version: (p?.version ?? 0) + 1,
          td_error: u.tdError ?? p?.td_error ?? null,
          learning_progress: u.learningProgress ?? p?.learning_progress ?? null,
          priority: u.priority ?? p?.priority ?? null,
          source: u.source ?? null,
          written_at: u.writtenAt === undefined ? now : new Date(u.writtenAt),
        };
        await client.query(
          `INSERT INTO ${this.#t('signals')} (experience_seq, version, td_error, learning_progress, priority, source, written_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [seq, row.version, row.td_error, row.learning_progress, row.priority, row.source, row.written_at],
        );
        out.push(toSignal(row));
      }
      return out;
    });
  }

  async latestSignals(ids: string[]): Promise<Map<string, SignalVersion>> {
    this.#open('latestSignals');
    const { rows } = await this.#pool.query<SignalDbRow>(
      `SELECT DISTINCT ON (s.experience_seq) x.id, s.version, s.td_error, s.learning_progress, s.priority, s.source, s.written_at ` +
        `FROM ${this.#t('experiences')} x JOIN ${this.#t('signals')} s ON s.experience_seq = x.seq ` +
        'WHERE x.id = ANY($1::text[]) ORDER BY s.experience_seq, s.version DESC',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, toSignal(r)]));
  }

  async signalHistory(id: string): Promise<SignalVersion[]> {
    this.#open('signalHistory');
    const { rows } = await this.#pool.query<SignalDbRow>(
      `SELECT x.id, s.version, s.td_error, s.learning_progress, s.priority, s.source, s.written_at ` +
        `FROM ${this.#t('experiences')} x JOIN ${this.#t('signals')} s ON s.experience_seq = x.seq WHERE x.id = $1 ORDER BY s.version`,
      [id],
    );
    return rows.map(toSignal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.blobs.close?.();
    if (this.#ownsPool) await this.#pool.end();
  }
}
