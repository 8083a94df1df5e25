/**
 * @chimera/ues SQLite store against bare better-sqlite3 doing the same work in the same run.
 *
 * - Append: 1,000,000 records of about 1.4 KB in batches of 1,000, validated by the store. The
 *   baseline is bare better-sqlite3 on the same tables (DDL copied from the store's file), with the
 *   same pragmas, the same prepared INSERTs in one transaction per batch, and the same episode
 *   summaries, from the same record objects (it JSON.stringifies them too) but with no validation.
 *   The two run interleaved, batch by batch, so machine noise hits both alike.
 * - The same at synchronous FULL (100,000 records), and with zod-only validation (100,000).
 * - successRates per (self, tag) over the 1,000,000 records against the same GROUP BY run bare on
 *   the same tables; and, for scale, the naive query: a GROUP BY over all 1,000,000 record rows
 *   with a covering index (one row per record, its first tag).
 * - Streaming all 1,000,000 records with iterate() against a bare stmt.iterate() + JSON.parse.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Experience,
  type ExperienceInput,
  ExperienceSchema,
  SqliteExperienceStore,
  uuidv7,
  validateExperience,
} from '@chimera/ues';
import type BetterSqlite3 from 'better-sqlite3';
import Database from 'better-sqlite3';
import { type BenchRow, median, writeResult } from './lib/report';

const TOTAL = Number(process.env.UES_BENCH_RECORDS ?? 1_000_000);
const SMALL = Math.min(TOTAL, 100_000);
const BATCH = 1_000;

const dir = mkdtempSync(join(tmpdir(), 'ues-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// ---- deterministic records ----------------------------------------------------------------------
const SELVES = ['form-filler', 'navigator', 'crafter', 'gatherer', 'reflector', 'explorer'];
const TAGS = ['form-filling', 'checkout', 'login', 'search', 'navigation', 'crafting', 'mining', 'building'];

class Lcg {
  constructor(private s: number) {}
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Generates the records of a stream in order: episodes of 3 to 20 steps, each with two tags. */
class RecordStream {
  readonly #rng: Lcg;
  #episode = 0;
  #step = 0;
  #length = 0;
  #self = '';
  #tags: string[] = [];
  #success = false;
  #time = Date.parse('2025-01-01T00:00:00.000Z');

  constructor(
    seed: number,
    private readonly prefix: string,
  ) {
    this.#rng = new Lcg(seed);
  }

  next(): ExperienceInput {
    if (this.#step === this.#length) {
      this.#episode++;
      this.#step = 0;
      this.#length = 3 + this.#rng.int(18);
      const s = this.#rng.int(SELVES.length);
      this.#self = SELVES[s]!;
      const a = this.#rng.int(TAGS.length);
      this.#tags = [TAGS[a]!, TAGS[(a + 1 + this.#rng.int(TAGS.length - 1)) % TAGS.length]!];
      this.#success = this.#rng.next() < 0.3 + s * 0.1;
    }
    const step = this.#step++;
    const last = step === this.#length - 1;
    this.#time += 250;
    const ref = `e${1 + this.#rng.int(40)}`;
    const r: ExperienceInput = {
      schemaVersion: 2,
      id: uuidv7(),
      episodeId: `${this.prefix}-ep-${this.#episode}`,
      step,
      agentId: 'agent-0',
      state: {
        data: {
          url: `http://127.0.0.1:4173/shop/checkout?item=${this.#episode % 97}`,
          title: 'Checkout',
          fields: [
            { ref: 'e1', role: 'textbox', name: 'Email', value: step > 0 ? 'alice@example.com' : '' },
            { ref: 'e2', role: 'textbox', name: 'Address', value: step > 1 ? '12 Main St' : '' },
            { ref: 'e3', role: 'button', name: 'Place order' },
          ],
          headings: ['Checkout', 'Shipping'],
        },
        text: 'textbox e1 "Email"; textbox e2 "Address"; button e3 "Place order"',
      },
      action: {
        call: { tool: 'browser_click', args: { ref } },
        result: {
          ok: true,
          tool: 'browser_click',
          value: { clicked: ref, navigated: false },
          durationMs: 3 + (step % 17),
        },
      },
      reward: last ? (this.#success ? 1 : 0) : 0.01,
      nextState: {
        data: {
          url: `http://127.0.0.1:4173/shop/checkout?item=${this.#episode % 97}`,
          title: 'Checkout',
          fields: [
            { ref: 'e1', role: 'textbox', name: 'Email', value: 'alice@example.com' },
            { ref: 'e2', role: 'textbox', name: 'Address', value: step > 0 ? '12 Main St' : '' },
            { ref: 'e3', role: 'button', name: 'Place order' },
          ],
        },
        text: 'textbox e1 "Email"="alice@example.com"; textbox e2 "Address"; button e3 "Place order"',
      },
      terminal: last,
      truncated: false,
      metadata: {
        environment: 'web',
        self: { name: this.#self, version: '1' },
        task: {
          id: `task-${this.#episode % 500}`,
          goal: 'Buy one blue mug and ship it to 12 Main St',
          family: this.#tags[0]!,
          difficulty: this.#episode % 4,
        },
        thoughtProcess: `Step ${step}: the email is filled; the address field ${ref} comes next, then I place the order.`,
        timestamps: { startedAt: new Date(this.#time).toISOString() },
        tags: this.#tags,
      },
    };
    if (last) r.outcome = this.#success ? 'success' : 'failure';
    return r;
  }

  batch(n: number): ExperienceInput[] {
    return Array.from({ length: n }, () => this.next());
  }
}

// ---- the bare baseline ----------------------------------------------------------------------------
/** Bare better-sqlite3 doing the store's inserts: same tables, statements and episode summaries. */
class BareWriter {
  readonly db: BetterSqlite3.Database;
  readonly #tx: { immediate(rows: ExperienceInput[]): void };

  constructor(path: string, ddl: string[], synchronous: 'NORMAL' | 'FULL') {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    for (const sql of ddl) this.db.exec(sql);
    const ins = this.db.prepare(
      'INSERT INTO experiences (id, episode_id, agent_id, step, environment, self_name, self_version, task_family, ' +
        'reward, outcome, started_at, tags, schema_version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const steps = this.db.prepare(
      'SELECT step, self_name, self_version, tags, reward, started_at FROM experiences WHERE episode_id = ? AND agent_id = ?',
    );
    const insEpisode = this.db.prepare(
      'INSERT INTO episodes (episode_id, agent_id, environment, task_id, task_goal, task_family, difficulty, self_name, ' +
        'self_version, outcome, episode_return, steps, tags, started_at, ended_at, end_experience_id) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insTag = this.db.prepare(
      'INSERT INTO episode_tags (tag, episode_seq, self_name, self_version, environment, task_family, difficulty, ' +
        'agent_id, outcome, steps, episode_return, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const summarize = (end: ExperienceInput) => {
      const rows = steps.all(end.episodeId, end.agentId) as {
        step: number;
        self_name: string;
        self_version: string;
        tags: string;
        reward: number;
        started_at: number;
      }[];
      const counts = new Map<string, { n: number; last: number; name: string; version: string }>();
      const tags = new Set<string>();
      let ret = 0;
      let started = Number.POSITIVE_INFINITY;
      for (const s of rows) {
        const key = `${s.self_name}\u0000${s.self_version}`;
        const c = counts.get(key) ?? { n: 0, last: -1, name: s.self_name, version: s.self_version };
        c.n++;
        c.last = Math.max(c.last, s.step);
        counts.set(key, c);
        for (const t of JSON.parse(s.tags) as string[]) tags.add(t);
        ret += s.reward;
        started = Math.min(started, s.started_at);
      }
      let best = { n: -1, last: -1, name: '', version: '' };
      for (const c of counts.values()) if (c.n > best.n || (c.n === best.n && c.last > best.last)) best = c;
      const m = end.metadata;
      const ended = Date.parse(m.timestamps!.startedAt);
      const info = insEpisode.run(
        end.episodeId,
        end.agentId,
        m.environment,
        m.task.id ?? null,
        m.task.goal,
        m.task.family,
        m.task.difficulty,
        best.name,
        best.version,
        end.outcome,
        end.episodeReturn ?? ret,
        end.step + 1,
        JSON.stringify([...tags]),
        started,
        ended,
        end.id,
      );
      for (const tag of tags) {
        insTag.run(
          tag,
          info.lastInsertRowid,
          best.name,
          best.version,
          m.environment,
          m.task.family,
          m.task.difficulty,
          end.agentId,
          end.outcome,
          end.step + 1,
          end.episodeReturn ?? ret,
          ended,
        );
      }
    };
    this.#tx = this.db.transaction((rows: ExperienceInput[]) => {
      for (const r of rows) {
        const m = r.metadata;
        ins.run(
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
          Date.parse(m.timestamps!.startedAt),
          JSON.stringify(m.tags),
          r.schemaVersion,
          JSON.stringify(r),
        );
      }
      for (const r of rows) if (r.outcome !== undefined) summarize(r);
    });
  }

  insert(rows: ExperienceInput[]): void {
    this.#tx.immediate(rows);
  }
}

async function storeDdl(): Promise<string[]> {
  const path = join(dir, 'ddl.db');
  const store = await SqliteExperienceStore.open(path);
  await store.close();
  const db = new Database(path, { readonly: true });
  const ddl = (
    db.prepare('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid').all() as {
      sql: string;
    }[]
  ).map((r) => r.sql);
  db.close();
  return ddl;
}

/**
 * Appends `total` records to a store and to a bare writer, alternating batch by batch (and who goes
 * first), so that load from other processes on this shared machine falls on both alike.
 * Returns records/s of each, counting only the time inside append / the bare transaction.
 */
async function appendRace(
  total: number,
  store: SqliteExperienceStore,
  bare: BareWriter,
  seed: number,
): Promise<{ store: number; bare: number }> {
  const forStore = new RecordStream(seed, 's');
  const forBare = new RecordStream(seed, 'b');
  let storeMs = 0;
  let bareMs = 0;
  for (let done = 0, round = 0; done < total; done += BATCH, round++) {
    const n = Math.min(BATCH, total - done);
    const storeBatch = forStore.batch(n);
    const bareBatch = forBare.batch(n);
    const runStore = async () => {
      const t = performance.now();
      await store.append(storeBatch);
      storeMs += performance.now() - t;
    };
    const runBare = () => {
      const t = performance.now();
      bare.insert(bareBatch);
      bareMs += performance.now() - t;
    };
    if (round % 2 === 0) {
      await runStore();
      runBare();
    } else {
      runBare();
      await runStore();
    }
    if ((done + n) % 50_000 === 0 || done + n === total) process.stdout.write(`\r  ${done + n} / ${total}`);
  }
  process.stdout.write('\n');
  return { store: (total / storeMs) * 1000, bare: (total / bareMs) * 1000 };
}

function timeMs(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function timeMsAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const AGGREGATE_SQL =
  "SELECT t.self_name AS k0, t.tag AS k1, COUNT(*) AS n, SUM(t.outcome = 'success') AS s, AVG(t.steps) AS ms, " +
  "AVG(CASE WHEN t.outcome = 'success' THEN t.steps END) AS mss, AVG(t.episode_return) AS mr FROM episode_tags t " +
  'WHERE 1 GROUP BY t.self_name, t.tag ORDER BY t.self_name, t.tag';

const NAIVE_SQL =
  "SELECT self_name, tag, SUM(outcome IS NOT NULL) AS episodes, SUM(outcome = 'success') AS successes, " +
  'AVG(CASE WHEN outcome IS NOT NULL THEN step + 1 END) AS mean_steps FROM flat GROUP BY self_name, tag';

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const loadBefore = loadavg()[0]!;
  const ddl = await storeDdl();
  const sample = new RecordStream(7, 'x').batch(1);
  console.log(`record size: ${JSON.stringify(sample[0]).length} bytes of JSON; ${TOTAL} records`);

  // ---- validation cost per record -----------------------------------------------------------------
  const probe = new RecordStream(11, 'v').batch(20_000) as Experience[];
  const perRecordUs = (fn: (r: Experience) => unknown) => {
    for (const r of probe.slice(0, 2000)) fn(r);
    const samples: number[] = [];
    for (let s = 0; s < 5; s++) samples.push((timeMs(() => probe.forEach(fn)) * 1000) / probe.length);
    return median(samples);
  };
  const fastUs = perRecordUs((r) => validateExperience(r));
  const zodUs = perRecordUs((r) => ExperienceSchema.parse(r));
  const stringifyUs = perRecordUs((r) => JSON.stringify(r));
  rows.push({
    metric: 'validation per 1.4 KB record: precompiled check (store default)',
    value: fastUs,
    unit: 'µs',
    baseline: zodUs,
    baselineName: 'zod 4 ExperienceSchema.parse',
    better: 'lower',
    note: `JSON.stringify of the same record: ${stringifyUs.toFixed(2)} µs`,
  });

  // ---- append, NORMAL, full size ------------------------------------------------------------------
  console.log('append, synchronous NORMAL');
  const store = await SqliteExperienceStore.open(join(dir, 'store.db'));
  const bare = new BareWriter(join(dir, 'bare.db'), ddl, 'NORMAL');
  const normal = await appendRace(TOTAL, store, bare, 1);
  rows.push({
    metric: `append ${TOTAL.toLocaleString('en')} records, batches of ${BATCH}, validated, WAL synchronous NORMAL`,
    value: normal.store,
    unit: 'records/s',
    baseline: normal.bare,
    baselineName: 'bare better-sqlite3, same inserts, no validation',
    target: 0.7 * normal.bare,
    better: 'higher',
    note: `store file ${(statSync(join(dir, 'store.db')).size / 2 ** 30).toFixed(2)} GiB`,
  });

  // ---- the success-rate query -----------------------------------------------------------------------
  console.log('successRates per (self, tag)');
  const bareAggregate = bare.db.prepare(AGGREGATE_SQL);
  const storeRates = await store.successRates({ groupBy: ['self', 'tag'] });
  const bareRates = bareAggregate.all() as { k0: string; k1: string; n: number; s: number }[];
  const same =
    storeRates.length === bareRates.length &&
    storeRates.every(
      (r, i) =>
        r.key.self === bareRates[i]!.k0 &&
        r.key.tag === bareRates[i]!.k1 &&
        r.episodes === bareRates[i]!.n &&
        r.successes === bareRates[i]!.s,
    );
  if (!same) throw new Error('store and bare success rates differ: the comparison would be meaningless');
  const storeTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < 9; i++) {
    storeTimes.push(await timeMsAsync(() => store.successRates({ groupBy: ['self', 'tag'] })));
    bareTimes.push(timeMs(() => bareAggregate.all()));
  }
  const episodes = storeRates.reduce((a, r) => a + r.episodes, 0);
  rows.push({
    metric: `successRates per (self, tag) over ${TOTAL.toLocaleString('en')} records (${storeRates.length} groups)`,
    value: median(storeTimes),
    unit: 'ms',
    baseline: median(bareTimes),
    baselineName: 'bare better-sqlite3, same GROUP BY on the same tables',
    target: 1.5 * median(bareTimes),
    better: 'lower',
    note: `scans ${episodes.toLocaleString('en')} episode-tag rows (covering index); results checked equal`,
  });

  // The naive design for scale: one row per record (first tag), GROUP BY over all of them.
  bare.db.exec('CREATE TABLE flat (self_name TEXT, tag TEXT, outcome TEXT, step INTEGER)');
  bare.db.exec(
    "INSERT INTO flat SELECT self_name, json_extract(tags, '$[0]'), outcome, step FROM experiences",
  );
  bare.db.exec('CREATE INDEX flat_cover ON flat (self_name, tag, outcome, step)');
  const naive = bare.db.prepare(NAIVE_SQL);
  naive.all();
  const naiveTimes: number[] = [];
  for (let i = 0; i < 7; i++) naiveTimes.push(timeMs(() => naive.all()));
  rows.push({
    metric: `successRates per (self, tag), ${TOTAL.toLocaleString('en')} records`,
    value: median(storeTimes),
    unit: 'ms',
    baseline: median(naiveTimes),
    baselineName: `bare GROUP BY over all ${TOTAL.toLocaleString('en')} record rows, covering index (first tag only)`,
    better: 'lower',
    note: 'the reference design of the issue (about 85 ms on its machine); the store aggregates episode summaries instead',
  });

  // ---- streaming --------------------------------------------------------------------------------------
  console.log('iterate');
  const heap0 = process.memoryUsage().heapUsed;
  let peak = heap0;
  let n = 0;
  // Both streams advance in lockstep, a page at a time, so both meet the same machine load.
  const storeIt = store.iterate({ pageSize: 1000 })[Symbol.asyncIterator]();
  const bareIt = (
    bare.db.prepare('SELECT body FROM experiences ORDER BY seq').iterate() as IterableIterator<{
      body: string;
    }>
  )[Symbol.iterator]();
  let iterMs = 0;
  let bareIterMs = 0;
  let m = 0;
  for (let page = 0; page * 1000 < TOTAL; page++) {
    let t = performance.now();
    for (let i = 0; i < 1000; i++) {
      const next = await storeIt.next();
      if (next.done) break;
      if (next.value.step < 0) throw new Error('unreachable');
      n++;
    }
    iterMs += performance.now() - t;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    t = performance.now();
    for (let i = 0; i < 1000; i++) {
      const next = bareIt.next();
      if (next.done) break;
      if ((JSON.parse(next.value.body) as Experience).step < 0) throw new Error('unreachable');
      m++;
    }
    bareIterMs += performance.now() - t;
  }
  bareIt.return?.();
  await storeIt.return?.();
  if (n !== TOTAL || m !== TOTAL) throw new Error(`iterated ${n} and ${m} records, expected ${TOTAL}`);
  rows.push({
    metric: `iterate all ${TOTAL.toLocaleString('en')} records (pages of 1,000)`,
    value: (TOTAL / iterMs) * 1000,
    unit: 'records/s',
    baseline: (TOTAL / bareIterMs) * 1000,
    baselineName: 'bare stmt.iterate() + JSON.parse',
    better: 'higher',
    note: `JS heap at most ${(peak / 2 ** 20).toFixed(0)} MiB while streaming (${(heap0 / 2 ** 20).toFixed(0)} MiB before)`,
  });
  await store.close();
  bare.db.close();

  // ---- the integrity check on open --------------------------------------------------------------------
  console.log('open with quick_check');
  const storePath = join(dir, 'store.db');
  const unchecked = await timeMsAsync(async () =>
    (await SqliteExperienceStore.open(storePath, { integrityCheck: 'none' })).close(),
  );
  const checked = await timeMsAsync(async () => (await SqliteExperienceStore.open(storePath)).close());
  rows.push({
    metric: `open a store of ${TOTAL.toLocaleString('en')} records with the default integrity check (quick_check)`,
    value: checked,
    unit: 'ms',
    baseline: unchecked,
    baselineName: "open with integrityCheck: 'none'",
    better: 'lower',
    note: 'quick_check reads every page: the price of detecting a damaged file before writing to it',
  });

  // ---- append, FULL, and zod-only validation --------------------------------------------------------
  console.log('append, synchronous FULL');
  const fullStore = await SqliteExperienceStore.open(join(dir, 'full-store.db'), { synchronous: 'FULL' });
  const fullBare = new BareWriter(join(dir, 'full-bare.db'), ddl, 'FULL');
  const full = await appendRace(SMALL, fullStore, fullBare, 2);
  rows.push({
    metric: `append ${SMALL.toLocaleString('en')} records, batches of ${BATCH}, validated, WAL synchronous FULL`,
    value: full.store,
    unit: 'records/s',
    baseline: full.bare,
    baselineName: 'bare better-sqlite3, same inserts, no validation',
    target: 0.7 * full.bare,
    better: 'higher',
  });
  await fullStore.close();
  fullBare.db.close();

  console.log('append, zod-only validation');
  const zodStore = await SqliteExperienceStore.open(join(dir, 'zod-store.db'), { validation: 'zod' });
  const zodBare = new BareWriter(join(dir, 'zod-bare.db'), ddl, 'NORMAL');
  const zod = await appendRace(SMALL, zodStore, zodBare, 3);
  rows.push({
    metric: `append ${SMALL.toLocaleString('en')} records with validation: 'zod' (no precompiled check), NORMAL`,
    value: zod.store,
    unit: 'records/s',
    baseline: zod.bare,
    baselineName: 'bare better-sqlite3, same inserts, no validation',
    better: 'higher',
    note: 'why the store validates with a precompiled check first',
  });
  await zodStore.close();
  zodBare.db.close();

  // The machine is shared: say how busy it was (ratios within the run stay comparable).
  rows[0]!.note += `; load average ${loadBefore.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end (2 cores)`;
  writeResult('ues-store', rows);
}

await main();
