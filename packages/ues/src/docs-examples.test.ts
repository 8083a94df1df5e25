/** The code examples of README.md and docs/ues.md, run as tests (docs/snippets.test.ts checks they match). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePng } from './__fixtures__/images';
import {
  CURRENT_SCHEMA_VERSION,
  type ExperienceInput,
  experienceJsonSchema,
  migrateExperience,
  SchemaValidationError,
  SqliteExperienceStore,
} from './index';

const dir = mkdtempSync(join(tmpdir(), 'ues-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const screenshotPng = makePng(32, 18, 5);

describe('documentation examples', () => {
  it('quick start: record an episode, ask for success rates', async () => {
    const path = join(dir, 'memory.db');
    // #region quick-start
    const store = await SqliteExperienceStore.open(path); // WAL, synchronous NORMAL
    const frame = await store.blobs.put(screenshotPng, 'image/png'); // sha256-addressed, deduplicated

    const step: ExperienceInput = {
      episodeId: 'ep-42',
      step: 0,
      state: { data: { url: '/checkout' }, text: 'button e3 "Place order"', images: [frame] },
      action: {
        call: { tool: 'browser_click', args: { ref: 'e3' } },
        result: { ok: true, tool: 'browser_click', value: { clicked: true }, durationMs: 12 },
      },
      reward: 1,
      nextState: { data: { url: '/thanks' } },
      terminal: true,
      outcome: 'success', // the record that ends an episode carries its outcome
      metadata: {
        environment: 'web',
        self: { name: 'form-filler', version: '3' },
        task: { goal: 'Place the order', family: 'checkout', difficulty: 1 },
        thoughtProcess: 'The cart is filled, so I place the order.',
        tags: ['checkout'],
      },
    };
    const [id] = await store.append([step]); // resolves once the batch is committed

    const rates = await store.successRates({ groupBy: ['self', 'tag'] });
    // [{ key: { self: 'form-filler', tag: 'checkout' }, episodes: 1, successes: 1, rate: 1, ci95: [...], meanSteps: 1, ... }]
    await store.close();
    // #endregion
    expect(id).toBeTruthy();
    expect(rates[0]).toMatchObject({
      key: { self: 'form-filler', tag: 'checkout' },
      episodes: 1,
      successes: 1,
    });
  });

  it('queries, failures, streaming and signals', async () => {
    const store = await SqliteExperienceStore.open(':memory:');
    const base = (episodeId: string, step: number, end?: 'success' | 'failure'): ExperienceInput => ({
      episodeId,
      step,
      state: { data: {} },
      action: {
        call: { tool: 'noop', args: {} },
        result: { ok: true, tool: 'noop', value: null, durationMs: 1 },
      },
      reward: end === 'success' ? 1 : 0,
      nextState: { data: {} },
      ...(end ? { terminal: true, outcome: end } : {}),
      metadata: {
        environment: 'web',
        self: { name: 'form-filler', version: '3' },
        task: { goal: 'g', family: 'checkout', difficulty: 1 },
        tags: ['checkout'],
      },
    });
    await store.append([base('a', 0), base('a', 1, 'failure'), base('b', 0, 'success')]);
    // #region queries
    const trajectory = await store.query({ episodeId: 'a' }); // steps in order
    const lastHour = await store.count({ environment: 'web', since: Date.now() - 3_600_000 });
    const failures = await store.recentFailures({ limit: 10, filter: { self: 'form-filler' } });
    let rewardSum = 0;
    for await (const experience of store.iterate({ self: 'form-filler', pageSize: 500 })) {
      rewardSum += experience.reward; // one page in memory at a time, however many records match
    }
    // Learning signals are appended as new versions; the record itself never changes.
    await store.writeSignals([{ id: trajectory[1]!.id, tdError: 0.7, priority: 1.4, source: 'sleep-3' }]);
    const latest = await store.latestSignals([trajectory[1]!.id]); // Map id -> { version: 1, ... }
    // #endregion
    expect(trajectory.map((r) => r.step)).toEqual([0, 1]);
    expect(lastHour).toBe(3);
    expect(rewardSum).toBe(1);
    expect(failures.map((f) => f.episodeId)).toEqual(['a']);
    expect(latest.get(trajectory[1]!.id)?.version).toBe(1);
    // #region bad-input
    const broken = { ...base('c', 0), reward: Number.NaN };
    try {
      await store.append([base('c', 1), broken]);
    } catch (error) {
      if (SchemaValidationError.isInstance(error)) {
        console.log(error.message); // record 1: field `reward`: Invalid input: expected number, received NaN
        console.log(error.path, error.index); // 'reward' 1 — and nothing of the batch was written
      }
    }
    // #endregion
    expect(await store.count({ episodeId: 'c' })).toBe(0);
    await store.close();
  });

  it('schema versions and JSON Schema', () => {
    // #region migrate
    const old = {
      schema_version: 1,
      episode_id: 'e1',
      step: 0,
      state: { url: '/login' },
      action: { tool: 'browser_click', arguments: { ref: 'e4' } },
      reward: 0,
      next_state: { url: '/home' },
      metadata: { environment: 'web', active_self: 'navigator', task_goal: 'Log in', timestamp: 1735689600 },
    };
    const current = migrateExperience(old); // validated, schemaVersion === CURRENT_SCHEMA_VERSION
    const schemaForOtherTools = experienceJsonSchema; // draft 2020-12, from z.toJSONSchema
    // #endregion
    expect(current.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(schemaForOtherTools.type).toBe('object');
  });
});
