/**
 * runEpisode's start: an environment whose start (or first observation) fails before the agent acts
 * is given a second try on a new session; a failure that persists ends the episode with the error.
 */
import type { Environment, EnvironmentSession } from '@chimera/toolbelt';
import { describe, expect, it } from 'vitest';
import { conventionGenerator, conventionWorld } from './__fixtures__/convention-world';
import { Mulberry32 } from './curriculum/random';
import { runEpisode } from './episode-runner';
import { RandomPolicy } from './policy';

/** The toy world, with the first `failures` starts failing: one at start, the next at its first observation. */
function flakyWorld(failures: number) {
  const inner = conventionWorld();
  const log = { starts: 0, closed: 0 };
  const world: Environment = {
    ...inner,
    start: async (task, options) => {
      log.starts++;
      if (log.starts > failures) return inner.start(task, options);
      if (log.starts % 2 === 1) throw new Error('server hiccup at start');
      const session = await inner.start(task, options);
      const broken: EnvironmentSession = Object.assign(Object.create(session), {
        observe: async () => {
          throw new Error('bot lost its connection');
        },
        close: async () => {
          log.closed++;
        },
      });
      return broken;
    },
  };
  return { world, log };
}

const task = conventionGenerator().generate({ family: 'lexical', difficulty: 0, seed: 3, split: 'train' });
const selector = { select: async () => ({ self: 'Generalist', version: 'v1', reason: 'test' }) };

function run(environment: Environment, startAttempts?: number) {
  return runEpisode({
    environment,
    task,
    policy: new RandomPolicy(),
    selector,
    random: new Mulberry32(1),
    episodeId: 'ep-1',
    explore: false,
    startAttempts,
  });
}

describe('runEpisode start', () => {
  it('tries a failed start again on a new session, and the episode runs', async () => {
    const { world, log } = flakyWorld(1);
    const result = await run(world);
    expect(log.starts).toBe(2);
    expect(result.error).toBeUndefined();
    expect(result.steps).toBeGreaterThan(0);
  });

  it('closes a session whose first observation failed before trying again', async () => {
    const { world, log } = flakyWorld(2);
    const result = await run(world, 3);
    expect(log.starts).toBe(3);
    expect(log.closed).toBe(1);
    expect(result.steps).toBeGreaterThan(0);
  });

  it('ends the episode with the error when every try fails', async () => {
    const { world, log } = flakyWorld(10);
    const result = await run(world);
    expect(log.starts).toBe(2);
    expect(result).toMatchObject({ success: false, steps: 0, truncated: true });
    expect(result.error).toBe('environment failed to start the episode (2 tries): bot lost its connection');
  });

  it('tries once with startAttempts 1', async () => {
    const { world, log } = flakyWorld(1);
    const result = await run(world, 1);
    expect(log.starts).toBe(1);
    expect(result.error).toBe('environment failed to start the episode: server hiccup at start');
  });
});
