/**
 * The PostgreSQL store against a real server started by this test: the shared store contract,
 * and several workers (separate connection pools, as rollout workers on different machines
 * would have) writing to one memory at once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webEpisode, webStep } from '../../__fixtures__/experiences';
import { type PostgresServer, startPostgres } from '../../__fixtures__/postgres-server';
import { storeContract } from '../../__fixtures__/store-contract';
import { PostgresExperienceStore } from './postgres-experience-store';

let server: PostgresServer;
let schemas = 0;

beforeAll(async () => {
  server = await startPostgres();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

storeContract('PostgresExperienceStore', () =>
  PostgresExperienceStore.open({
    connectionString: server.connectionString,
    schema: `contract_${schemas++}`,
  }),
);

describe('PostgresExperienceStore with several workers', () => {
  it('takes concurrent batches and signal writes from several workers without loss', async () => {
    const schema = 'workers';
    // All workers start at once: schema creation must not race.
    const workers = await Promise.all(
      Array.from({ length: 4 }, () =>
        PostgresExperienceStore.open({
          connectionString: server.connectionString,
          schema,
          poolConfig: { max: 2 },
        }),
      ),
    );
    try {
      const perWorker = 12;
      const acknowledged = await Promise.all(
        workers.map(async (store, w) => {
          const ids: string[] = [];
          for (let e = 0; e < perWorker; e++) {
            const outcome = e % 3 === 0 ? 'failure' : 'success';
            ids.push(
              ...(await store.append(
                webEpisode(`w${w}-e${e}`, 5, outcome, {
                  agentId: `worker-${w}`,
                  self: w % 2 ? 'navigator' : 'form-filler',
                }),
              )),
            );
          }
          return ids;
        }),
      );
      const all = acknowledged.flat();
      expect(new Set(all).size).toBe(4 * perWorker * 5);
      expect(await workers[0]!.count()).toBe(all.length);
      expect((await workers[1]!.query({ ids: all })).length).toBe(all.length);
      const rates = await workers[2]!.successRates({ groupBy: ['self'] });
      expect(rates.map((r) => [r.key.self, r.episodes, r.successes])).toEqual([
        ['form-filler', 24, 16],
        ['navigator', 24, 16],
      ]);
      // Every worker bumps the signals of the same experiences at once: versions must be 1..4.
      const shared = all.slice(0, 10);
      await Promise.all(
        workers.map((store, w) =>
          store.writeSignals(shared.map((id) => ({ id, priority: w + 1, source: `worker-${w}` }))),
        ),
      );
      const latest = await workers[3]!.latestSignals(shared);
      for (const id of shared) expect(latest.get(id)?.version).toBe(4);
      const history = await workers[0]!.signalHistory(shared[0]!);
      expect(history.map((h) => h.version)).toEqual([1, 2, 3, 4]);
      expect(new Set(history.map((h) => h.source)).size).toBe(4);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('documentation example: one memory for several rollout workers', async () => {
    const connectionString = server.connectionString;
    const records = webEpisode('doc-ep', 3, 'success');
    // #region postgres
    // On every rollout worker (tables are created on first open; concurrent opens are safe):
    const store = await PostgresExperienceStore.open({ connectionString, schema: 'ues' });
    await store.append(records); // one transaction per batch, like SQLite
    const rates = await store.successRates({ groupBy: ['self', 'tag'] });
    await store.close();
    // #endregion
    expect(rates.length).toBeGreaterThan(0);
  });

  it('uses a pool it is given without ending it, and keeps the JSON text exactly', async () => {
    const pool = new pg.Pool({ connectionString: server.connectionString, max: 2 });
    const store = await PostgresExperienceStore.open({ pool, schema: 'given_pool' });
    const step = webStep({ episodeId: 'exact', step: 0 });
    step.state.data = { z: 1, a: 0.1, nested: { b: [1, 2, { c: null }] } };
    const [id] = await store.append([step]);
    const back = await store.get(id!);
    expect(Object.keys(back!.state.data)).toEqual(['z', 'a', 'nested']);
    expect(back!.state.data).toEqual(step.state.data);
    await store.close();
    const { rows } = await pool.query('SELECT COUNT(*)::int AS n FROM given_pool.experiences');
    expect(rows[0].n).toBe(1);
    await pool.end();
  });
});
