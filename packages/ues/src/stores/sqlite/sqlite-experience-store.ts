/**
 * The embedded default store: one SQLite file in WAL mode (readers never block the writer),
 * one transaction per appended batch, prepared statements throughout. A batch is acknowledged
 * only after its COMMIT returns, so an acknowledged record survives a killed process
 * (synchronous NORMAL) or also a power cut (synchronous FULL).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import type { BlobStore } from '../../blobs/blob-store';
import { MemoryBlobStore } from '../../blobs/blob-store';
import { FileBlobStore } from '../../blobs/file-blob-store';
import { CorruptDatabaseError } from '../../errors/corrupt-database-error';
import { DuplicateExperienceError } from '../../errors/duplicate-experience-error';
import { EpisodeConflictError } from '../../errors/episode-conflict-error';
import { StoreClosedError } from '../../errors/store-closed-error';
import { UesError } from '../../errors/ues-error';
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
import { episodeWhere, experienceWhere, limitClause } from './sqlite-filters';
import { checkHeader, checkPages, isCorruptionError } from './sqlite-integrity';
import { type EpisodeDbRow, type SignalDbRow, toSignal, toSummary } from './sqlite-rows';
import { createSchema, inspectStore } from './sqlite-setup';
import { prepareStatements, type SqliteStatements } from './sqlite-statements';

export interface SqliteStoreOptions {
  /** `NORMAL` (default) survives a killed process; `FULL` also a power cut, at some insert speed. */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another process's write lock. Default 10,000 ms. */
  busyTimeoutMs?: number;
  /** Check run on open of an existing file: `quick` (default, reads every page), `full`, or `none`. */
  integrityCheck?: 'quick' | 'full' | 'none';
  /** Blob store for images; default a FileBlobStore at `<path>.blobs` (in memory for `:memory:`). */
  blobs?: BlobStore;
  /** Open an existing store for reading only (another process may be writing). */
  readonly?: boolean;
  /** `fast` (default): precompiled check, zod only to name a refused field. `zod`: zod always. */
  validation?: ValidationMode;
  /** SQLite page cache size in KiB. Default 65,536 (64 MiB). */
  cacheKiB?: number;
}

function finiteOrNull(value: number | undefined, field: string, id: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UesError(`signal ${field} for ${id} must be a finite number (got ${String(value)})`);
  }
  return value;
}

export class SqliteExperienceStore implements ExperienceStore {
  readonly blobs: BlobStore;
  readonly path: string;
  readonly #db: BetterSqlite3.Database;
  readonly #validation: ValidationMode;
  readonly #stmts: SqliteStatements;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  #closed = false;

  private constructor(
    db: BetterSqlite3.Database,
    path: string,
    blobs: BlobStore,
    validation: ValidationMode,
  ) {
    this.#db = db;
    this.path = path;
    this.blobs = blobs;
    this.#validation = validation;
    this.#stmts = prepareStatements(db);
  }

  /**
   * Opens (or creates) a store. An existing file is checked first (header, then SQLite's
   * quick_check); a damaged one raises CorruptDatabaseError and is left as it was.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteExperienceStore> {
    const memory = path === ':memory:' || path === '';
    const existed = memory ? false : checkHeader(path);
    if (options.readonly && !existed) {
      throw new UesError(`cannot open ${path} read-only: no experience store there`);
    }
    if (!memory && !existed) mkdirSync(dirname(path), { recursive: true });
    let db: BetterSqlite3.Database;
    try {
      db = new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.readonly ?? false,
      });
    } catch (error) {
      if (isCorruptionError(error)) {
        throw new CorruptDatabaseError(path, (error as Error).message, { cause: error });
      }
      throw error;
    }
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
      if (existed && options.integrityCheck !== 'none') {
        checkPages(db, path, options.integrityCheck ?? 'quick');
      }
      // Read-only inspection first: a foreign or newer file must be refused before anything
      // (even the journal mode switch) writes to it.
      const isNew = inspectStore(db, path, options.readonly ?? false);
      if (!options.readonly) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (!memory && mode !== 'wal')
          throw new UesError(`${path}: could not switch to WAL (got ${String(mode)})`);
      }
      db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      db.pragma(`cache_size = -${options.cacheKiB ?? 65_536}`);
      db.pragma('temp_store = MEMORY');
      if (isNew) createSchema(db);
    } catch (error) {
      db.close();
      if (isCorruptionError(error)) {
        throw new CorruptDatabaseError(path, (error as Error).message, { cause: error });
      }
      throw error;
    }
    const blobs = options.blobs ?? (memory ? new MemoryBlobStore() : new FileBlobStore(`${path}.blobs`));
    return new SqliteExperienceStore(db, path, blobs, options.validation ?? 'fast');
  }

  #open(what: string): void {
    if (this.#closed) throw new StoreClosedError(what);
  }

  /** Query shapes repeat (same filter keys, new values): keep their prepared statements. */
  #prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      if (this.#statements.size >= 200) this.#statements.clear();
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  async append(records: ExperienceInput[]): Promise<string[]> {
    this.#open('append');
    if (!Array.isArray(records)) throw new UesError('append takes an array of records (a batch)');
    if (records.length === 0) return [];
    const now = new Date().toISOString();
    const rows: Experience[] = new Array(records.length);
    const seen = new Set<string>();
    const dupes: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = prepareExperience(records[i], i, now, this.#validation);
      if (seen.has(r.id)) dupes.push(r.id);
      seen.add(r.id);
      rows[i] = r;
    }
    if (dupes.length) throw new DuplicateExperienceError(dupes);
    try {
      this.#stmts.appendBatch.immediate(rows);
    } catch (error) {
      throw this.#explainWriteError(error, rows);
    }
    return rows.map((r) => r.id);
  }

  #explainWriteError(error: unknown, rows: Experience[]): unknown {
    const message = (error as Error)?.message ?? '';
    if (message.includes('UNIQUE constraint failed: experiences.id')) {
      const stored = this.#stmts.existingIds.all(JSON.stringify(rows.map((r) => r.id))) as { id: string }[];
      return new DuplicateExperienceError(
        stored.map((s) => s.id),
        { cause: error },
      );
    }
    if (message.includes('UNIQUE constraint failed: episodes.')) {
      const ends = rows.filter((r) => r.outcome !== undefined);
      const key = (r: Experience) => `${r.episodeId}\u0000${r.agentId}`;
      const conflict =
        ends.find((r, i) => ends.findIndex((o) => key(o) === key(r)) !== i) ??
        ends.find((r) => this.#stmts.episodeExists.get(r.episodeId, r.agentId) !== undefined) ??
        ends[0];
      return new EpisodeConflictError(conflict?.episodeId ?? '?', conflict?.agentId ?? '?', { cause: error });
    }
    if (isCorruptionError(error)) return new CorruptDatabaseError(this.path, message, { cause: error });
    return error;
  }

  async get(id: string): Promise<Experience | undefined> {
    this.#open('get');
    const row = this.#stmts.getById.get(id) as { body: string; schema_version: number } | undefined;
    return row ? decodeExperience(row.body, row.schema_version) : undefined;
  }

  async query(filter: ExperienceFilter & QueryOptions = {}): Promise<Experience[]> {
    this.#open('query');
    const where = experienceWhere(filter);
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    const params = [...where.params];
    const sql = `SELECT body, schema_version FROM experiences x WHERE ${where.sql} ORDER BY x.seq ${order}${limitClause(filter, params)}`;
    const rows = this.#prepare(sql).all(...params) as { body: string; schema_version: number }[];
    return rows.map((r) => decodeExperience(r.body, r.schema_version));
  }

  async *iterate(
    filter: ExperienceFilter & { order?: 'asc' | 'desc'; pageSize?: number } = {},
  ): AsyncIterable<Experience> {
    this.#open('iterate');
    const where = experienceWhere(filter);
    const desc = filter.order === 'desc';
    const pageSize = Math.max(1, filter.pageSize ?? 512);
    // Keyset paging on seq: each page is its own short read, so no statement stays open across
    // the consumer's awaits (writes can go on meanwhile) and memory stays at one page.
    const stmt = this.#prepare(
      `SELECT seq, body, schema_version FROM experiences x WHERE x.seq ${desc ? '<' : '>'} ? AND (${where.sql}) ORDER BY x.seq ${desc ? 'DESC' : 'ASC'} LIMIT ?`,
    );
    let cursor = desc ? Number.MAX_SAFE_INTEGER : 0;
    for (;;) {
      this.#open('iterate');
      const rows = stmt.all(cursor, ...where.params, pageSize) as {
        seq: number;
        body: string;
        schema_version: number;
      }[];
      for (const r of rows) yield decodeExperience(r.body, r.schema_version);
      if (rows.length < pageSize) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  async count(filter: ExperienceFilter = {}): Promise<number> {
    this.#open('count');
    const where = experienceWhere(filter);
    const row = this.#prepare(`SELECT COUNT(*) AS n FROM experiences x WHERE ${where.sql}`).get(
      ...where.params,
    ) as {
      n: number;
    };
    return row.n;
  }

  async successRates(options: {
    groupBy: SuccessRateDimension[];
    filter?: EpisodeFilter;
  }): Promise<SuccessRateRow[]> {
    this.#open('successRates');
    const dims = options.groupBy;
    checkGroupBy(dims);
    const filter = options.filter ?? {};
    // Per-tag rows count an episode once per tag; without a tag dimension or filter, use episodes.
    const table = dims.includes('tag') || filter.tag !== undefined ? 'episode_tags' : 'episodes';
    const alias = table === 'episodes' ? 'e' : 't';
    const where = episodeWhere(filter, table);
    const cols = dims.map((d) => `${alias}.${GROUP_COLUMNS[d]}`);
    const select = cols.map((c, i) => `${c} AS k${i}`).join(', ');
    const sql =
      `SELECT ${select}${cols.length ? ', ' : ''}COUNT(*) AS n, SUM(${alias}.outcome = 'success') AS s, ` +
      `AVG(${alias}.steps) AS ms, AVG(CASE WHEN ${alias}.outcome = 'success' THEN ${alias}.steps END) AS mss, ` +
      `AVG(${alias}.episode_return) AS mr FROM ${table} ${alias} WHERE ${where.sql}` +
      (cols.length ? ` GROUP BY ${cols.join(', ')} ORDER BY ${cols.join(', ')}` : '');
    const rows = this.#prepare(sql).all(...where.params) as Record<string, number | string | null>[];
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
    const where = episodeWhere(filter, 'episodes');
    const params = [...where.params];
    const order = filter.order === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM episodes e WHERE ${where.sql} ORDER BY e.ended_at ${order}, e.seq ${order}${limitClause(filter, params)}`;
    return (this.#prepare(sql).all(...params) as EpisodeDbRow[]).map(toSummary);
  }

  async writeSignals(updates: SignalUpdate[]): Promise<SignalVersion[]> {
    this.#open('writeSignals');
    if (updates.length === 0) return [];
    const now = Date.now();
    const prepared = updates.map((u) => {
      const writtenAt = u.writtenAt === undefined ? now : Date.parse(u.writtenAt);
      if (!Number.isFinite(writtenAt)) throw new UesError(`signal writtenAt for ${u.id} is not a date`);
      return {
        id: u.id,
        tdError: finiteOrNull(u.tdError, 'tdError', u.id),
        learningProgress: finiteOrNull(u.learningProgress, 'learningProgress', u.id),
        priority: finiteOrNull(u.priority, 'priority', u.id),
        source: u.source,
        writtenAt,
      };
    });
    try {
      return this.#stmts.writeSignals.immediate(prepared);
    } catch (error) {
      if (isCorruptionError(error))
        throw new CorruptDatabaseError(this.path, (error as Error).message, { cause: error });
      throw error;
    }
  }

  async latestSignals(ids: string[]): Promise<Map<string, SignalVersion>> {
    this.#open('latestSignals');
    const rows = this.#stmts.latestSignals.all(JSON.stringify(ids)) as SignalDbRow[];
    return new Map(rows.map((r) => [r.id, toSignal(r)]));
  }

  async signalHistory(id: string): Promise<SignalVersion[]> {
    this.#open('signalHistory');
    return (this.#stmts.signalHistory.all(id) as SignalDbRow[]).map(toSignal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
    await this.blobs.close?.();
  }
}
