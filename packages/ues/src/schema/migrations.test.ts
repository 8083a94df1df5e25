import { describe, expect, it } from 'vitest';
import { v1Record } from '../__fixtures__/v1-record';
import { SchemaValidationError } from '../errors/schema-validation-error';
import { CURRENT_SCHEMA_VERSION } from './experience-schema';
import { migrateExperience, schemaVersionOf } from './migrations';

describe('migrateExperience', () => {
  it('brings a version-1 record to the current schema', () => {
    const r = migrateExperience(v1Record());
    expect(r).toMatchObject({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      id: 'v1-exp-7',
      episodeId: 'v1-ep',
      agentId: 'agent-0',
      step: 3,
      state: { data: { url: 'http://127.0.0.1/login' } },
      action: {
        call: { tool: 'browser_click', args: { ref: 'e4' } },
        result: { ok: true, tool: 'browser_click', value: { clicked: true } },
      },
      terminal: true,
      outcome: 'success',
      metadata: {
        environment: 'Playwright',
        self: { name: 'Playwright_Navigator', version: 'unknown' },
        task: { goal: 'Log in as alice', family: 'unknown', difficulty: 0 },
        thoughtProcess: 'The login button is e4.',
        timestamps: { startedAt: '2025-01-01T00:00:00.000Z' },
        tags: [],
      },
    });
  });

  it('maps a version-1 error and a mid-episode step', () => {
    const r = migrateExperience(
      v1Record({
        done: false,
        success: undefined,
        action: { tool: 'browser_type', args: {}, error: 'no such field' },
      }),
    );
    expect(r.action.result).toEqual({
      ok: false,
      tool: 'browser_type',
      error: { code: 'handler_error', message: 'no such field' },
      durationMs: 0,
    });
    expect(r.terminal).toBe(false);
    expect(r.outcome).toBeUndefined();
  });

  it('validates current records as they are and names the field of a bad one', () => {
    const current = migrateExperience(v1Record());
    expect(migrateExperience(JSON.parse(JSON.stringify(current)))).toEqual(current);
    const error = (() => {
      try {
        migrateExperience(v1Record({ metadata: { environment: 'web', task_goal: 'x', timestamp: 0 } }));
      } catch (e) {
        return e;
      }
    })();
    expect(SchemaValidationError.isInstance(error)).toBe(true);
    expect((error as SchemaValidationError).path).toBe('metadata.self.name');
  });

  it('refuses records from a newer release instead of guessing', () => {
    expect(() => migrateExperience({ schemaVersion: CURRENT_SCHEMA_VERSION + 1 })).toThrow(
      /upgrade @chimera\/ues/,
    );
    expect(schemaVersionOf({ schemaVersion: 2 })).toBe(2);
    expect(schemaVersionOf({ episode_id: 'x' })).toBe(1);
  });
});
