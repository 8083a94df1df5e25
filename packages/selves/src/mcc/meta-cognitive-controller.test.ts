import { NanoPolicyModel } from '@chimera/runtime-cuda';
import type { TaskSpec } from '@chimera/toolbelt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROSTER } from '../library/roster';
import { SelfMetadataSchema, selfDescription } from '../library/self-metadata';
import { MetaCognitiveController } from './meta-cognitive-controller';
import { SeededRandom } from './seeded-random';
import type { SelfProfile } from './skill-prior';

let model: NanoPolicyModel;
beforeAll(async () => {
  model = await NanoPolicyModel.create();
});
afterAll(async () => {
  await model.release();
});

function task(family: string, i: number, extra: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id: `${family}-${i}`,
    environment: 'synthetic',
    family,
    difficulty: 0,
    goal: `solve the ${family} puzzle number ${i % 7}`,
    seed: i,
    split: 'train',
    needsExperience: false,
    maxSteps: 4,
    tags: [family],
    params: {},
    ...extra,
  };
}

const observation = { text: 'a plain page', data: {} };

// Each Self is better at its own family. The prior is misleading on purpose: Ann claims `beta`.
const owners: Record<string, string> = { alpha: 'Ann', beta: 'Bob', gamma: 'Cy' };
const profiles: SelfProfile[] = [
  { name: 'Ann', description: 'Ann: solves alpha puzzles', skills: ['beta'], environments: [] },
  { name: 'Bob', description: 'Bob: solves beta puzzles', skills: [], environments: [] },
  { name: 'Cy', description: 'Cy: solves gamma puzzles', skills: [], environments: [] },
];

async function runSynthetic(controller: MetaCognitiveController, episodes: number, seed: number, from = 0) {
  const world = new SeededRandom(seed);
  for (let i = 0; i < from; i++) world.next(), world.next();
  const choices: { family: string; self: string }[] = [];
  for (let i = from; i < episodes; i++) {
    const family = ['alpha', 'beta', 'gamma'][Math.floor(world.next() * 3)]!;
    const t = task(family, i);
    const choice = await controller.select({ task: t, step: 0, observation, history: [] });
    const success = world.next() < (choice.self === owners[family] ? 0.85 : 0.25);
    choices.push({ family, self: choice.self });
    await controller.observeEpisode(
      { task: t, success, score: success ? 1 : 0, steps: 3, selvesUsed: [choice.self] },
      { learn: true },
    );
  }
  return choices;
}

const makeController = (seed: number) =>
  new MetaCognitiveController({
    selves: profiles,
    versionOf: () => 'v1',
    seed,
    adapter: { model, weights: model.createLora(99) },
  });

describe('MetaCognitiveController', () => {
  it('converges to the right Self per family on a synthetic setting, despite a misleading prior', async () => {
    const controller = makeController(1);
    const choices = await runSynthetic(controller, 150, 2024);
    const late = choices.slice(-50);
    const right = late.filter((c) => c.self === owners[c.family]).length;
    expect(right / late.length).toBeGreaterThanOrEqual(0.85);
    controller.setMode('exploit');
    for (const family of ['alpha', 'beta', 'gamma']) {
      const choice = await controller.select({ task: task(family, 999), step: 0, observation, history: [] });
      expect(choice.self).toBe(owners[family]);
      expect(choice.reason).toContain('exploit');
    }
    const posterior = controller
      .posteriors()
      .find((p) => p.key === 'synthetic/beta/main' && p.self === 'Bob')!;
    expect(posterior.mean).toBeGreaterThan(0.6);
    expect(posterior.ci95[0]).toBeLessThan(posterior.mean);
    // Its own adapter trained on the outcomes (every 8 episodes, when advantages are not all zero).
    expect(controller.trainingReports().length).toBeGreaterThan(5);
    const untrained = makeController(1);
    for (const family of ['alpha', 'beta', 'gamma']) {
      const scores = (await controller.adapterScores(task(family, 3)))!;
      const before = (await untrained.adapterScores(task(family, 3)))!;
      expect(scores[owners[family]!]!).toBeGreaterThan(before[owners[family]!]!);
      expect(Math.max(...Object.values(scores))).toBe(scores[owners[family]!]);
    }
  });

  it('is deterministic, and a saved state continues exactly like the uninterrupted run', async () => {
    const whole = makeController(5);
    const all = await runSynthetic(whole, 40, 77);
    const first = makeController(5);
    await runSynthetic(first, 24, 77);
    const state = JSON.parse(JSON.stringify(first.saveState()));
    const resumed = makeController(5);
    resumed.loadState(state);
    const rest = await runSynthetic(resumed, 40, 77, 24);
    expect(rest).toEqual(all.slice(24));
    expect(JSON.stringify(resumed.saveState())).toBe(JSON.stringify(whole.saveState()));
  });

  it('keeps one decision per sub-task and splits checkout into locate and complete', async () => {
    const roster = DEFAULT_ROSTER.map((r) => SelfMetadataSchema.parse(r)).filter((m) => m.acting);
    const controller = new MetaCognitiveController({
      selves: roster.map((m) => ({
        name: m.name,
        description: selfDescription(m),
        skills: m.skills,
        environments: m.environments,
      })),
      versionOf: () => 'v3',
      seed: 3,
    });
    controller.setMode('exploit');
    const checkout = task('checkout', 1, {
      environment: 'web',
      tags: ['navigation', 'forms', 'checkout', 'site:shop'],
    });
    const first = await controller.select({
      task: checkout,
      step: 0,
      observation: { text: 'e1 link "Cart"', data: {} },
      history: [],
    });
    expect(first.self).toBe('Playwright_Navigator');
    expect(first.version).toBe('v3');
    expect(first.reason).toContain('"locate"');
    const again = await controller.select({
      task: checkout,
      step: 1,
      observation: { text: 'e2 link "Checkout"', data: {} },
      history: [],
    });
    expect(again.self).toBe('Playwright_Navigator');
    const form = await controller.select({
      task: checkout,
      step: 2,
      observation: { text: 'e3 textbox "Email"\ne4 button "Place order"', data: {} },
      history: [],
    });
    expect(form.self).toBe('Form_Filler');
    expect(form.reason).toContain('"complete"');
    // Minecraft families go to the Minecraft Selves by prior.
    const gather = task('gather-logs', 2, { environment: 'minecraft', tags: ['minecraft', 'gathering'] });
    expect((await controller.select({ task: gather, step: 0, observation, history: [] })).self).toBe(
      'MINDcraft_Explorer',
    );
    const build = task('build-structure', 3, {
      environment: 'minecraft',
      tags: ['minecraft', 'building', 'spatial'],
    });
    expect((await controller.select({ task: build, step: 0, observation, history: [] })).self).toBe(
      'MINDcraft_Builder',
    );
  });
});
