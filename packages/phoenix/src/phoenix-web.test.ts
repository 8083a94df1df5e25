/**
 * The Phoenix pieces on the real web world: Chromium through @chimera/worlds/web, chimera-nano with
 * the System of Selves from @chimera/selves (adapters in a library on disk, the Meta-Cognitive
 * Controller choosing), and the SQLite experience store. Wake acts on a few web tasks, Sleep
 * prioritizes, samples and diagnoses, and one short QuZO run fine-tunes the Self the objective
 * names. Built from the public API only, step by step, so each hand-over can be checked; the
 * cycle that strings the same steps together (runPhoenix) is tested in cycle.test.ts.
 *
 * @chimera/worlds is a devDependency of phoenix: only tests may import it (checked below).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridPriority, PrioritizedReplayBuffer } from '@chimera/per-sumtree';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { createNanoSelves, type NanoSelves, peftToNano } from '@chimera/selves';
import { type Experience, SqliteExperienceStore } from '@chimera/ues';
import { createWebEnvironment, type WebEnvironment } from '@chimera/worlds/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Controller,
  type DiagnosisSample,
  diagnose,
  EmbeddedPolicy,
  type EpisodeResult,
  LearningProgressTeacher,
  Mulberry32,
  objectiveFromDiagnosis,
  runEpisode,
  tdError,
  trainAdapter,
  trainingExamples,
} from './index';

let model: NanoPolicyModel;
let env: WebEnvironment;
let store: SqliteExperienceStore;
let selves: NanoSelves;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phoenix-web-'));
  [model, env] = await Promise.all([NanoPolicyModel.create(), createWebEnvironment({ seed: 5 })]);
  store = await SqliteExperienceStore.open(join(dir, 'experiences.sqlite'));
  selves = await createNanoSelves({ dir: join(dir, 'selves'), model, store, seed: 3 });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await store?.close();
  await model?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** All records of each episode, in step order (returns and next-state values need the whole episode). */
async function episodesOf(records: readonly Experience[]): Promise<Map<string, Experience[]>> {
  const out = new Map<string, Experience[]>();
  for (const id of new Set(records.map((r) => r.episodeId))) {
    out.set(
      id,
      (await store.query({ episodeId: id })).sort((a, b) => a.step - b.step),
    );
  }
  return out;
}

/** The live adapter's current version and the checksum the library recorded for it. */
function versionOf(self: string): { version: string; checksum: string } {
  const version = selves.library.current(self);
  const record = selves.library.versions(self).find((v) => v.version === version)!;
  return { version, checksum: record.checksum };
}

describe('Phoenix on the web world (real Chromium, chimera-nano Selves, SQLite)', () => {
  it('acts and records, sleeps into an objective on a real mini-batch, and fine-tunes only its target Self', {
    timeout: 120_000,
  }, async () => {
    // Wake, acting: the controller picks the Self for each step, the policy the action. Navigation
    // at level 2 (find a product through the site search) gives partial credit for searching
    // without opening the product: the untrained agent solves some episodes and half-solves others,
    // so returns differ. (An all-zero batch under a value head that predicts 0 carries no learning
    // signal at all: see docs/phoenix.md.)
    const arm = { environment: 'web', family: 'navigation', difficulty: 2 };
    const teacher = new LearningProgressTeacher({ arms: [arm] });
    const controller: Controller = selves.controller;
    const policy = new EmbeddedPolicy({ model, adapterFor: (self) => selves.weights(self) });
    const replay = new PrioritizedReplayBuffer<string>({ capacity: 256, seed: 7 });
    controller.setMode('explore');
    const results: EpisodeResult[] = [];
    // At least five episodes, and on until both outcomes occurred (a batch of one outcome only
    // gives Sleep nothing to contrast), at most ten.
    const mixed = () => results.some((r) => r.success) && results.some((r) => !r.success);
    for (let i = 0; i < 10 && (i < 5 || !mixed()); i++) {
      const task = env.generator.generate({ ...arm, seed: 40 + i, split: 'train' });
      const result = await runEpisode({
        environment: env,
        task,
        policy,
        selector: controller,
        random: new Mulberry32(100 + i),
        episodeId: `web-act-${i}`,
        explore: true,
        tags: ['train'],
      });
      expect(result.error, `episode ${i}`).toBeUndefined();
      await store.append(result.records);
      for (const r of result.records) replay.add(r.id!);
      teacher.update(arm, result.score);
      await controller.observeEpisode(result, { learn: true });
      results.push(result);
    }

    expect(mixed(), 'ten episodes without both a success and a failure').toBe(true);

    // The store holds exactly the steps taken, each with the decision that chose it.
    const steps = results.reduce((s, r) => s + r.steps, 0);
    expect(steps).toBeGreaterThanOrEqual(6);
    expect(await store.count()).toBe(steps);
    const stored = await store.query({});
    for (const result of results) {
      const records = stored.filter((r) => r.episodeId === result.episodeId).sort((a, b) => a.step - b.step);
      expect(records.map((r) => r.step)).toEqual(Array.from({ length: result.steps }, (_, k) => k));
      for (const r of records) {
        expect(r.action.call).toEqual(r.decision!.candidates![r.decision!.chosenIndex!]!.call);
        expect(r.state.text).toMatch(/^site: /);
        expect(result.selvesUsed).toContain(r.metadata.self.name);
        expect(selves.actingSelves()).toContain(r.metadata.self.name);
      }
      expect(records.at(-1)!.outcome).toBe(
        result.success ? 'success' : result.truncated ? 'truncated' : 'failure',
      );
    }
    expect((await store.episodes()).map((e) => e.episodeId).sort()).toEqual(results.map((r) => r.episodeId));

    // Sleep: TD errors from the values the policy stored while acting, mixed with learning progress.
    const episodes = await episodesOf(stored);
    const td = stored.map((r) => {
      const next = episodes.get(r.episodeId)!.find((e) => e.step === r.step + 1);
      return tdError({
        reward: r.reward,
        value: r.decision!.value!,
        nextValue: next?.decision?.value ?? 0,
        terminal: r.terminal || !next,
      });
    });
    const learningProgress = stored.map((r) =>
      teacher.learningProgress({
        environment: r.metadata.environment,
        family: r.metadata.task.family,
        difficulty: r.metadata.task.difficulty,
      }),
    );
    const priorities = new HybridPriority({ tdWeight: 0.7, lpWeight: 0.3 }).compute(td, learningProgress);
    await store.writeSignals(
      stored.map((r, k) => ({
        id: r.id,
        tdError: td[k]!,
        learningProgress: learningProgress[k]!,
        priority: priorities[k]!,
        source: 'sleep-web-test',
      })),
    );
    const slotOf = new Map(Array.from({ length: replay.size }, (_, slot) => [replay.get(slot), slot]));
    replay.updatePriorities(
      stored.map((r) => slotOf.get(r.id)!),
      priorities,
    );
    const sample = replay.sample(replay.size);
    const ids = [...new Set(sample.items)];
    const picked = await store.query({ ids });
    const signals = await store.latestSignals(ids);
    expect(signals.size).toBe(ids.length);
    const samples: DiagnosisSample[] = picked.map((r) => {
      const episode = episodes.get(r.episodeId)!;
      const url = (r.state.data as { url?: string }).url;
      return {
        experienceId: r.id,
        episodeId: r.episodeId,
        self: r.metadata.self.name,
        environment: r.metadata.environment,
        family: r.metadata.task.family,
        features: url ? [`page:${new URL(url).pathname}`] : [],
        episodeSuccess: episode.at(-1)?.outcome === 'success',
        tdError: signals.get(r.id)!.tdError!,
      };
    });
    const diagnosis = diagnose(samples);
    const target = diagnosis.target;
    expect(target, JSON.stringify(diagnosis.groups.slice(0, 4))).not.toBeNull();
    const objective = objectiveFromDiagnosis({
      cycle: 1,
      miniBatchId: '1',
      experienceIds: samples.filter((s) => s.self === target!.self).map((s) => s.experienceId),
      diagnosis,
      target: target!,
    });
    expect(selves.actingSelves()).toContain(objective.targetSelf);
    expect(objective.family).toBe('navigation');
    expect(objective.summary).toContain(`Target Self: ${objective.targetSelf}`);
    expect(objective.evidence.failures).toBeGreaterThan(0);
    // The mini-batch is real: every id resolves to a stored step of the target Self.
    const batch = await store.query({ ids: objective.miniBatch.experienceIds });
    expect(batch.map((r) => r.id).sort()).toEqual([...objective.miniBatch.experienceIds].sort());
    expect(batch.every((r) => r.metadata.self.name === objective.targetSelf)).toBe(true);

    // Wake, learning: a short QuZO run on the target Self's live adapter, then a new library version.
    const before = Object.fromEntries(selves.actingSelves().map((s) => [s, versionOf(s)]));
    const examples = trainingExamples(batch, await episodesOf(batch));
    expect(examples).toHaveLength(batch.length);
    const weights = selves.weights(objective.targetSelf);
    const report = await trainAdapter({ model, lora: weights, examples, steps: 6, seed: 9 });
    expect(report.steps).toBe(6);
    expect(Number.isFinite(report.policyLossAfter)).toBe(true);
    // The batch mixes a partly scored failure with successes: returns differ, so there is a signal.
    expect(new Set(examples.map((e) => e.valueTarget)).size).toBeGreaterThan(1);
    expect(report.policyLossAfter).not.toBe(report.policyLossBefore);
    expect(report.valueLossAfter).not.toBe(report.valueLossBefore);
    const version = await selves.commit(objective.targetSelf, weights, {
      objectiveId: objective.id,
      reason: objective.summary,
    });
    const after = versionOf(objective.targetSelf);
    expect(after.version).toBe(version);
    expect(version).not.toBe(before[objective.targetSelf]!.version);
    expect(after.checksum).not.toBe(before[objective.targetSelf]!.checksum);
    expect(selves.library.versionForObjective(objective.targetSelf, objective.id)?.version).toBe(version);
    // What was written is what was trained.
    const saved = peftToNano(await selves.library.loadAdapter(objective.targetSelf), model);
    expect(saved.parameters().map((p) => Array.from(p))).toEqual(
      weights.parameters().map((p) => Array.from(p)),
    );
    for (const self of selves.actingSelves()) {
      if (self !== objective.targetSelf) expect(versionOf(self), self).toEqual(before[self]);
    }
  });
});

describe('layering', () => {
  it('phoenix uses @chimera/worlds in tests only (a devDependency, never imported by runtime code)', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    expect(pkg.dependencies?.['@chimera/worlds']).toBeUndefined();
    expect(pkg.devDependencies?.['@chimera/worlds']).toBe('workspace:*');
    const runtime = (readdirSync(__dirname, { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('__fixtures__'),
    );
    expect(runtime.length).toBeGreaterThan(10);
    for (const file of runtime) {
      expect(readFileSync(join(__dirname, file), 'utf8'), file).not.toMatch(/@chimera\/worlds/);
    }
  });
});
