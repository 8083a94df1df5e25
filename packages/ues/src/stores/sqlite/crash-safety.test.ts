/**
 * Crash safety: a writer process is killed with SIGKILL at random moments, many times, over one
 * growing database. After every kill the store must open cleanly (quick_check), hold every batch
 * and signal version the writer acknowledged, and hold whole batches only (no half-written batch,
 * every ending record with its episode summary).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteExperienceStore } from './sqlite-experience-store';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..', '..', '..');
// Inside the package's node_modules so the bundle's `better-sqlite3` import resolves.
const bundleDir = join(packageRoot, 'node_modules', '.cache', 'ues-crash-test');
const bundle = join(bundleDir, `crash-writer-${process.pid}.mjs`);
const dir = mkdtempSync(join(tmpdir(), 'ues-crash-'));
const dbPath = join(dir, 'memory.db');

const ROUNDS = 60;
const BATCH = 20;

interface RoundResult {
  ready: boolean;
  batches: number[];
  signals: { id: string; version: number }[];
}

interface Writer {
  round: number;
  /**
   * Sends `go` and kills the writer `delayMs` after an event: `go` (while it opens the store),
   * `ready` (while it writes its first batch) or its first acknowledged batch.
   */
  run(delayMs: number, after: 'go' | 'ready' | 'first-batch'): Promise<RoundResult>;
}

/** Starts a writer process; it loads its code and then waits for `go`. */
function startWriter(round: number, path = dbPath): Writer {
  const child = spawn(process.execPath, [bundle, path, String(round), String(BATCH)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result: RoundResult = { ready: false, batches: [], signals: [] };
  let out = '';
  let err = '';
  let onReady = () => {};
  let onFirstBatch = () => {};
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    let nl = out.indexOf('\n');
    while (nl >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      const [kind, a, b] = line.split(' ');
      if (kind === 'ready') {
        result.ready = true;
        onReady();
      } else if (kind === 'batch') {
        result.batches.push(Number(a));
        if (result.batches.length === 1) onFirstBatch();
      } else if (kind === 'signal') result.signals.push({ id: a!, version: Number(b) });
      nl = out.indexOf('\n');
    }
  });
  child.stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ${round} exited by itself (code ${code}): ${err}`));
      else resolve(signal);
    });
  });
  exited.catch(() => {});
  return {
    round,
    async run(delayMs, after) {
      let timer: NodeJS.Timeout | undefined;
      const kill = () => child.kill('SIGKILL');
      const arm = () => (timer = setTimeout(kill, delayMs));
      if (after === 'go') arm();
      else if (after === 'ready') onReady = arm;
      else onFirstBatch = arm;
      child.stdin.write('go\n');
      try {
        await exited;
      } finally {
        clearTimeout(timer);
      }
      return result;
    },
  };
}

beforeAll(async () => {
  mkdirSync(bundleDir, { recursive: true });
  await build({
    entryPoints: [join(here, '..', '..', '__fixtures__', 'crash-writer.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    minify: true,
    outfile: bundle,
    logLevel: 'error',
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundle, { force: true });
});

describe('SqliteExperienceStore under SIGKILL', () => {
  it(`loses no acknowledged record and half-writes nothing over ${ROUNDS} kills`, {
    timeout: 100_000,
  }, async () => {
    let acknowledged = 0;
    let killedBeforeReady = 0;
    let killedWhileWriting = 0;
    // Writers start a few rounds ahead: process start-up (slow on a loaded machine) overlaps
    // with the rounds before, and each still opens the database only when told to.
    const ahead: Writer[] = [];
    let started = 0;
    const refill = () => {
      while (ahead.length < 4 && started < ROUNDS) ahead.push(startWriter(started++));
    };
    refill();
    for (let round = 0; round < ROUNDS; round++) {
      const writer = ahead.shift()!;
      refill();
      // 1 round in 10 is killed while opening (schema creation, WAL recovery), 2 in 10 during the
      // first batch, the rest a few ms after a batch was acknowledged (mid-batch, mid-signal).
      const after = round % 10 === 0 ? 'go' : round % 10 < 3 ? 'ready' : 'first-batch';
      const delay = Math.floor(Math.random() * (after === 'go' ? 30 : 25));
      const run = await writer.run(delay, after);
      if (!run.ready) killedBeforeReady++;
      if (run.batches.length > 0) killedWhileWriting++;
      acknowledged += run.batches.length * BATCH;

      // Opening runs the header check and SQLite's quick_check: it throws on any damage.
      const store = await SqliteExperienceStore.open(dbPath);
      try {
        const agentId = `round-${round}`;
        const records = await store.query({ agentId });
        const perBatch = new Map<number, number>();
        for (const r of records) {
          const batch = Number(/-b(\d+)-/.exec(r.id)![1]);
          perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
          expect(r.metadata.thoughtProcess).toContain(`Step ${r.step}`);
        }
        // Every acknowledged batch is there, whole.
        for (const b of run.batches) expect(perBatch.get(b)).toBe(BATCH);
        // Nothing half-written: every batch present is complete, and at most one batch past the
        // last acknowledgement (committed, then killed before it could print).
        for (const [b, n] of perBatch) expect([b, n]).toEqual([b, BATCH]);
        expect(perBatch.size - run.batches.length).toBeLessThanOrEqual(1);
        // Each committed episode end has its summary (written in the same transaction).
        const ends = records.filter((r) => r.outcome !== undefined).length;
        expect((await store.episodes({ agentId })).length).toBe(ends);
        const latest = await store.latestSignals(run.signals.map((s) => s.id));
        for (const s of run.signals) expect(latest.get(s.id)?.version).toBeGreaterThanOrEqual(s.version);
      } finally {
        await store.close();
      }
    }
    // The test only means something if kills landed while batches were being written.
    expect(killedWhileWriting).toBeGreaterThanOrEqual((ROUNDS * 7) / 10);
    expect(acknowledged).toBeGreaterThan(0);
    console.log(
      `crash test: ${ROUNDS} kills, ${killedWhileWriting} during writes, ${killedBeforeReady} before ready, ${acknowledged} acknowledged records`,
    );
  });

  it('two writer processes on one file: both committed, nothing lost when both are killed', {
    timeout: 60_000,
  }, async () => {
    const shared = join(dir, 'shared.db');
    // Both open the same file and append concurrently (BEGIN IMMEDIATE + busy timeout serialize
    // their batches); both are killed a while after their first acknowledged batch.
    const writers = [startWriter(1000, shared), startWriter(1001, shared)];
    const runs = await Promise.all(writers.map((w) => w.run(150, 'first-batch')));
    const store = await SqliteExperienceStore.open(shared);
    try {
      for (const [i, run] of runs.entries()) {
        expect(run.batches.length).toBeGreaterThan(0);
        const records = await store.query({ agentId: `round-${1000 + i}` });
        const batches = new Set(records.map((r) => Number(/-b(\d+)-/.exec(r.id)![1])));
        for (const b of run.batches) expect(batches.has(b)).toBe(true);
        expect(records.length % BATCH).toBe(0);
      }
    } finally {
      await store.close();
    }
  });
});
