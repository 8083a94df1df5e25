/**
 * The web environment end to end with real Chromium: a scripted policy solves one task of every
 * family and difficulty through the session's own candidates (so each task is solvable and each
 * reward is right), and a random policy over the same candidates scores near zero.
 */
import type { CandidateAction, Observation } from '@chimera/toolbelt';
import {
  createWebEnvironment,
  type WebEnvironment,
  WebEpisodeSession,
  type WebObservationData,
  type WebTaskSpec,
  webCandidates,
} from '@chimera/worlds/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedAction } from './scripted-policy';

let env: WebEnvironment;

beforeAll(async () => {
  // #region create-environment
  // Task site on 127.0.0.1 + one Chromium (/usr/bin/chromium or $CHIMERA_CHROMIUM); the seed shuffles candidates.
  env = await createWebEnvironment({ seed: 7 });
  // #endregion
});

afterAll(async () => {
  await env?.close();
});

async function run(
  task: WebTaskSpec,
  choose: (obs: Awaited<ReturnType<typeof observeOf>>, n: number) => number | 'scripted',
) {
  const session = await env.start(task);
  try {
    let observation = await session.observe();
    let reward = 0;
    const trace: string[] = [];
    for (let step = 0; step < task.maxSteps; step++) {
      const candidates = session.candidates(observation);
      const choice = choose(observation, candidates.length);
      const action =
        choice === 'scripted' ? scriptedAction(task, observation, candidates) : candidates[choice];
      if (!action) break;
      const outcome = await session.step(action.call);
      trace.push(`${action.text} -> ${outcome.result.ok ? 'ok' : outcome.result.error.message}`);
      observation = outcome.observation;
      reward = outcome.reward;
      if (outcome.done || outcome.truncated) break;
    }
    return { reward, verdict: await session.verdict(), trace, steps: session.steps };
  } finally {
    await session.close();
  }
}

function observeOf() {
  return {} as import('@chimera/toolbelt').Observation;
}

/** Runs `work` over `items`, `width` at a time (episodes share the browser, each in its own context). */
async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

const cases = () =>
  env.generator
    .families()
    .flatMap((f) => f.difficulties.map((difficulty) => ({ family: f.family, difficulty })));

describe('an episode', () => {
  it('runs through the Environment contract: observe, candidates, step, verdict', {
    timeout: 60_000,
  }, async () => {
    const choose = (task: WebTaskSpec, observation: Observation, candidates: CandidateAction[]) =>
      scriptedAction(task, observation, candidates);
    // #region web-episode
    const task = env.generator.generate({
      family: 'site-conventions',
      difficulty: 0,
      seed: 1,
      split: 'train',
    });
    const session = await env.start(task);
    let observation = await session.observe(); // text: brand, step, last action, the page; data: structured
    for (let step = 0; step < task.maxSteps; step++) {
      const candidates = session.candidates(observation); // e.g. `click e18 button "Proceed"`
      const action = choose(task, observation, candidates); // your policy picks one
      const outcome = await session.step(action.call); // reward is the verdict's score on the last step
      observation = outcome.observation;
      if (outcome.done || outcome.truncated) break;
    }
    const verdict = await session.verdict(); // read from the site's server-side state
    await session.close();
    // #endregion
    expect(verdict).toMatchObject({ success: true, score: 1 });
    // With a seed, the candidates are the page-order list, shuffled.
    const replay = await env.start(task);
    const first = await replay.observe();
    const shuffled = replay.candidates(first).map((c) => c.text);
    const pageOrder = webCandidates(task.goal, first.data as WebObservationData).map((c) => c.text);
    await replay.close();
    expect([...shuffled].sort()).toEqual([...pageOrder].sort());
    expect(shuffled).not.toEqual(pageOrder);
    // Multimodal state for the experience record: a JPEG screenshot beside the text.
    const withImages = await WebEpisodeSession.start(task, {
      site: env.site,
      browser: env.browser,
      screenshots: true,
    });
    const image = (await withImages.observe()).images?.[0];
    await withImages.close();
    expect(image?.mime).toBe('image/jpeg');
    expect([image?.bytes[0], image?.bytes[1]]).toEqual([0xff, 0xd8]);
    expect(observation.text).toMatch(/^site: .+ \[[a-z]+\] · step 1\/3/);
  });
});

describe('scripted policy', () => {
  it('solves one task of every family and difficulty, within the step budget', {
    timeout: 120_000,
  }, async () => {
    const failures = await pool(cases(), 6, async ({ family, difficulty }) => {
      const task = env.generator.generate({ family, difficulty, seed: 11, split: 'train' });
      const result = await run(task, () => 'scripted');
      return result.verdict.success && result.reward === 1
        ? undefined
        : `${task.id}: ${result.verdict.detail} (reward ${result.reward})\n  ${result.trace.join('\n  ')}`;
    });
    expect(failures.filter(Boolean)).toEqual([]);
  });
});

describe('random policy', () => {
  it('scores near zero, uniform over the candidates', { timeout: 120_000 }, async () => {
    // A modest sample: one task of every family (alternating lowest and highest difficulty),
    // held-out seeds, each episode with its own seeded choice stream so scheduling does not matter.
    const sample = env.generator.families().map((f, i) => ({
      family: f.family,
      difficulty: i % 2 === 0 ? 0 : (f.difficulties[f.difficulties.length - 1] as number),
    }));
    const scores = await pool(sample, 8, async ({ family, difficulty }) => {
      let state = 12345 + difficulty * 7 + family.length;
      const random = (n: number) => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return Math.floor((state / 2 ** 32) * n);
      };
      const task = env.generator.generate({ family, difficulty, seed: 3, split: 'heldout' });
      return (await run(task, (_obs, n) => random(n))).reward;
    });
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    console.info(`random policy: mean reward ${mean.toFixed(3)} over ${scores.length} episodes`);
    // Near zero: at most one lucky success in eight (a 40-episode run measured 0.000).
    expect(mean).toBeLessThan(0.2);
  });
});
