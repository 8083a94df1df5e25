import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { SqliteExperienceStore } from '@chimera/ues';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionWorld } from './__fixtures__/convention-world';
import { FileSelves, TagController } from './__fixtures__/file-selves';
import { type PhoenixOptions, type PhoenixState, runPhoenix } from './cycle';
import { EmbeddedPolicy } from './embedded-policy';
import { CycleInterruptedError } from './errors';
import { EpisodicMemory } from './memory/episodic-memory';

let model: NanoPolicyModel;
const dirs: string[] = [];

beforeAll(async () => {
  model = await NanoPolicyModel.create();
});
afterAll(async () => {
  await model.release();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function setup(dir: string, overrides: Partial<PhoenixOptions> = {}, withMemory = false) {
  // A fresh memory per process, as a restarted agent has: the cycle loads its saved table.
  const memory = withMemory ? new EpisodicMemory() : undefined;
  const store = await SqliteExperienceStore.open(join(dir, 'experiences.sqlite'));
  const selves = new FileSelves(join(dir, 'selves'), model, ['Form_Filler', 'Playwright_Navigator']);
  const controller = new TagController(selves, {
    'form-filling': 'Form_Filler',
    navigation: 'Playwright_Navigator',
  });
  const options: PhoenixOptions = {
    stateDir: dir,
    environments: [conventionWorld()],
    store,
    model,
    policy: new EmbeddedPolicy({
      model,
      adapterFor: (self) => selves.weights(self),
      ...(memory ? { memory } : {}),
    }),
    ...(memory ? { memory } : {}),
    controller,
    selves,
    cycles: 2,
    seed: 11,
    episodesPerCycle: 16,
    heldoutPerFamily: 8,
    validationPerFamily: 4,
    miniBatchSize: 48,
    trainingSteps: 80,
    ...overrides,
  };
  return { options, store, selves };
}

async function summary(dir: string, state: PhoenixState, store: SqliteExperienceStore, selves: FileSelves) {
  const experiences = await store.query({});
  return {
    state: JSON.parse(readFileSync(join(dir, 'phoenix-state.json'), 'utf8')) as PhoenixState,
    ids: experiences.map((e) => e.id),
    rewards: experiences.map((e) => e.reward),
    versions: selves.snapshot(),
    final: state.cycles.map((c) => c.heldout),
  };
}

/** Timings differ between runs; everything else must not. */
function withoutTimings(s: Awaited<ReturnType<typeof summary>>) {
  return { ...s, state: { ...s.state, cycles: s.state.cycles.map((c) => ({ ...c, timings: [] })) } };
}

describe('runPhoenix on a small world with the real SQLite store and chimera-nano', () => {
  it('learns the site conventions that the goal does not state, and keeps the lexical family', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-learn-'));
    dirs.push(dir);
    const { options, store } = await setup(dir, { cycles: 3, episodesPerCycle: 40, trainingSteps: 250 });
    const state = await runPhoenix(options);
    const rate = (cycle: number, family: string) =>
      state.cycles[cycle]!.heldout.find((s) => s.family === family)!.rate;
    const first = rate(0, 'conventions');
    const last = rate(state.cycles.length - 1, 'conventions');
    expect(last).toBeGreaterThan(first + 0.3);
    expect(rate(state.cycles.length - 1, 'lexical')).toBeGreaterThanOrEqual(rate(0, 'lexical'));
    expect(state.cycles.flatMap((c) => c.objectives).length).toBeGreaterThan(0);
    await store.close();
  }, 240_000);

  it('resumes after an interruption at every phase boundary into the same final state', async () => {
    const reference = mkdtempSync(join(tmpdir(), 'phoenix-ref-'));
    dirs.push(reference);
    const ref = await setup(reference, {}, true);
    const refState = await runPhoenix(ref.options);
    const expected = withoutTimings(await summary(reference, refState, ref.store, ref.selves));
    // The memory is part of the state that must come back the same.
    expect(expected.state.memory?.entries.length).toBeGreaterThan(0);
    await ref.store.close();
    const boundaries = [
      '0:baseline',
      ...[1, 2].flatMap((c) => ['act', 'multi-agent', 'sleep', 'learn', 'evaluate'].map((p) => `${c}:${p}`)),
    ];
    for (const boundary of boundaries) {
      const dir = mkdtempSync(join(tmpdir(), 'phoenix-crash-'));
      dirs.push(dir);
      const first = await setup(dir, { interruptAt: boundary }, true);
      await expect(runPhoenix(first.options)).rejects.toBeInstanceOf(CycleInterruptedError);
      await first.store.close();
      // A restarted process: every object is built again from what is on disk.
      const second = await setup(dir, {}, true);
      const state = await runPhoenix(second.options);
      const got = withoutTimings(await summary(dir, state, second.store, second.selves));
      expect(got.ids, boundary).toEqual(expected.ids);
      expect(got.versions, boundary).toEqual(expected.versions);
      expect(got.state, boundary).toEqual(expected.state);
      await second.store.close();
    }
  }, 300_000);
});
