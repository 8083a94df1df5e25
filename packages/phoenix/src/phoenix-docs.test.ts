/**
 * The examples of packages/phoenix/README.md and docs/phoenix.md (each `#region` is copied into the
 * markdown, and docs/snippets.test.ts checks the copies). They run on the toy world of
 * __fixtures__/convention-world.ts, with the real chimera-nano model, the real System of Selves and
 * the real SQLite store, so they stay fast and still exercise the real parts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoPolicyModel } from '@chimera/runtime-cuda';
import { createNanoSelves } from '@chimera/selves';
import { SqliteExperienceStore } from '@chimera/ues';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionWorld } from './__fixtures__/convention-world';
import {
  AdversaryPopulation,
  CycleInterruptedError,
  discountedReturns,
  EmbeddedPolicy,
  LearningProgressTeacher,
  Mulberry32,
  PhoenixError,
  type PhoenixEvent,
  type PhoenixOptions,
  type PhoenixState,
  runPhoenix,
  tdError,
} from './index';

let model: NanoPolicyModel;
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  model = await NanoPolicyModel.create();
});

afterAll(async () => {
  await model.release();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Everything a run needs, opened from `dir` as a fresh process would. */
async function open(dir: string, seed = 1): Promise<PhoenixOptions & { store: SqliteExperienceStore }> {
  const store = await SqliteExperienceStore.open(join(dir, 'experiences.sqlite'));
  const selves = await createNanoSelves({ dir: join(dir, 'selves'), model, store, seed });
  return {
    stateDir: dir,
    environments: [conventionWorld()],
    store,
    model,
    policy: new EmbeddedPolicy({ model, adapterFor: (self) => selves.weights(self) }),
    controller: selves.controller,
    selves,
    cycles: 1,
    seed,
    episodesPerCycle: 24,
    heldoutPerFamily: 4,
    validationPerFamily: 2,
    miniBatchSize: 32,
    trainingSteps: 20,
  };
}

describe('README: a run', () => {
  it('runs the baseline and one cycle, and leaves its state on disk', { timeout: 120_000 }, async () => {
    const dir = tempDir('phoenix-docs-run-');
    const world = conventionWorld();
    const phases: string[] = [];
    // #region run-phoenix
    const model = await NanoPolicyModel.create(); // chimera-nano: scores candidate actions, has a value head
    const store = await SqliteExperienceStore.open(join(dir, 'experiences.sqlite'));
    const selves = await createNanoSelves({ dir: join(dir, 'selves'), model, store, seed: 1 });
    const state = await runPhoenix({
      stateDir: dir, // phoenix-state.json lives here: run again with the same dir and seed to resume
      environments: [world], // any Environment of @chimera/toolbelt (the web world, Minecraft, yours)
      store,
      model,
      policy: new EmbeddedPolicy({ model, adapterFor: (self) => selves.weights(self) }),
      controller: selves.controller, // the Meta-Cognitive Controller picks the Self for each step
      selves, // adapters to act with, commit to and roll back
      cycles: 1, // cycle 0 is the untrained baseline; cycles 1..n act, sleep, learn and evaluate
      seed: 1,
      episodesPerCycle: 24,
      heldoutPerFamily: 4,
      trainingSteps: 20,
      onEvent: (event) => {
        if (event.type === 'phase-end') phases.push(`${event.cycle}:${event.phase}`);
      },
    });
    const [baseline, last] = [state.cycles[0]!, state.cycles.at(-1)!];
    // baseline.heldout / last.heldout: success rate per family; last.objectives, last.outcomes: what was learned
    // #endregion
    expect(phases).toEqual(['0:baseline', '1:act', '1:multi-agent', '1:sleep', '1:learn', '1:evaluate']);
    expect(state.cycles.map((c) => c.cycle)).toEqual([0, 1]);
    expect(baseline.heldout.map((s) => s.family).sort()).toEqual(['conventions', 'lexical']);
    expect(last.heldout.every((s) => s.episodes === 4)).toBe(true);
    expect(last.training.reduce((n, s) => n + s.episodes, 0)).toBe(24);
    // Every training step is in the store, and the state file is the state returned.
    const steps = (await store.query({ tag: 'train' })).length;
    expect(steps).toBeGreaterThanOrEqual(24);
    const saved = JSON.parse(readFileSync(join(dir, 'phoenix-state.json'), 'utf8')) as PhoenixState;
    expect(saved).toEqual(JSON.parse(JSON.stringify(state)));
    expect([saved.nextCycle, saved.nextPhase]).toEqual([2, 'act']);
    // Each objective names an acting Self and a mini-batch of stored steps; each outcome says what became of it.
    expect(last.objectives.length).toBeGreaterThan(0);
    for (const objective of last.objectives) {
      expect(selves.actingSelves()).toContain(objective.targetSelf);
      expect(existsSync(join(dir, 'minibatches', `${objective.miniBatch.id}.json`))).toBe(true);
      const batch = await store.query({ ids: objective.miniBatch.experienceIds });
      expect(batch).toHaveLength(objective.miniBatch.experienceIds.length);
    }
    expect(last.outcomes.map((o) => o.objectiveId)).toEqual(last.objectives.map((o) => o.id));
    // Kept or rolled back, the version the outcome names is the Self's current one.
    for (const outcome of last.outcomes) expect(selves.version(outcome.targetSelf)).toBe(outcome.version);
    await store.close();
    await model.release();
  });
});

describe('README: resuming', () => {
  it('a run stopped at a phase boundary picks up there; another seed is refused', {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir('phoenix-docs-resume-');
    const first = await open(dir);
    // #region resume
    // A run that stops (here the test hook `interruptAt`; in life a kill) leaves the state of the last
    // finished phase in stateDir. The same call again, from a fresh process, continues from there.
    await expect(runPhoenix({ ...first, interruptAt: '1:sleep' })).rejects.toThrow(CycleInterruptedError);
    const events: PhoenixEvent[] = [];
    const again = await open(dir); // store, Selves and controller reopened from disk
    const state = await runPhoenix({ ...again, onEvent: (event) => events.push(event) });
    // events[0]: { type: 'resumed', cycle: 1, phase: 'learn' }
    // #endregion
    expect(events[0]).toEqual({ type: 'resumed', cycle: 1, phase: 'learn' });
    expect(events.filter((e) => e.type === 'phase-start').map((e) => (e as { phase: string }).phase)).toEqual(
      ['learn', 'evaluate'],
    );
    expect(state.cycles.map((c) => c.cycle)).toEqual([0, 1]);
    await first.store.close();
    await again.store.close();
    // #region resume-wrong-seed
    const other = await open(dir, 2);
    await expect(runPhoenix(other)).rejects.toThrow(/belongs to a run with seed 1, not 2/);
    // #endregion
    await expect(runPhoenix(other)).rejects.toBeInstanceOf(PhoenixError);
    await other.store.close();
  });
});

describe('docs/phoenix.md: the pieces', () => {
  it('learning signal: TD errors and discounted returns', () => {
    // #region learning-signal
    // An episode of three steps that ends in success (reward 1 on the last step), γ = 0.95.
    const returns = discountedReturns([0, 0, 1]); // G_t: [0.9025, 0.95, 1]
    // The value head said V(s_1) = 0.2 and V(s_2) = 0.5: the step from s_1 was better than expected.
    const delta = tdError({ reward: 0, value: 0.2, nextValue: 0.5, terminal: false }); // 0 + 0.95 * 0.5 - 0.2 = 0.275
    // #endregion
    expect(returns.map((g) => Number(g.toFixed(4)))).toEqual([0.9025, 0.95, 1]);
    expect(delta).toBeCloseTo(0.275, 12);
  });

  it('teacher: samples where learning progresses', () => {
    // #region teacher
    const arms = ['mastered', 'learning', 'impossible'].map((family) => ({
      environment: 'web',
      family,
      difficulty: 0,
    }));
    const teacher = new LearningProgressTeacher({ arms });
    for (let i = 0; i < 30; i++) {
      teacher.update(arms[0]!, 1); // always solved
      teacher.update(arms[1]!, i < 15 ? 0 : 1); // solved since episode 15
      teacher.update(arms[2]!, 0); // never solved
    }
    const arm = teacher.sample(new Mulberry32(7)); // most often 'learning'
    const progress = teacher.learningProgress(arms[1]!); // |f(fast EMA) - f(slow EMA)|, also the replay's LP term
    // #endregion
    const p = (family: string) => teacher.distribution().find((d) => d.arm.family === family)!.probability;
    expect(p('learning')).toBeGreaterThan(p('mastered'));
    expect(p('learning')).toBeGreaterThan(p('impossible'));
    expect(progress).toBeGreaterThan(teacher.learningProgress(arms[0]!));
    expect(arms.map((a) => a.family)).toContain(arm.family);
  });

  it('adversaries: regret rewards solvable weak spots only', () => {
    // #region adversaries
    const v = (family: string) => ({ environment: 'web', family, difficulty: 1 });
    const population = new AdversaryPopulation({ variations: [v('easy'), v('weak-spot'), v('impossible')] });
    population.observe(v('easy'), 1); // some agent solved it once: a score of 1 is reachable
    population.observe(v('weak-spot'), 1);
    const adversary = population.spawn(0); // generation 0; kept in the population for good
    const random = new Mulberry32(3);
    const protagonist: Record<string, number> = { easy: 1, 'weak-spot': 0, impossible: 0 };
    for (let i = 0; i < 300; i++) {
      const proposal = population.propose(adversary, random);
      const regret = population.regret(proposal, protagonist[proposal.family]!); // best known - protagonist
      population.reinforce(adversary, proposal, regret, 0.5);
    }
    // adversary.logits now favour 'weak-spot'; 'impossible' earned no regret (nobody ever solved it)
    // #endregion
    const logit = (family: string) => adversary.logits[`web/${family}/1`]!;
    expect(logit('weak-spot')).toBeGreaterThan(logit('easy'));
    expect(logit('weak-spot')).toBeGreaterThan(logit('impossible'));
    expect(population.regret(v('impossible'), 0)).toBe(0);
  });
});
