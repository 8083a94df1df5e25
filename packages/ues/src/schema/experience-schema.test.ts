import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { webStep } from '../__fixtures__/experiences';
import { SchemaValidationError } from '../errors/schema-validation-error';
import { CURRENT_SCHEMA_VERSION, type Experience, ExperienceSchema } from './experience-schema';
import { experienceJsonSchema } from './json-schema';
import { completeExperience, prepareExperience, validateExperience } from './validate';

const now = '2025-01-02T03:04:05.678Z';

function valid(): Experience {
  return prepareExperience(webStep({ episodeId: 'ep-1', step: 0 }), 0, now);
}

/** Runs a mutated copy of a valid record through both validation modes; returns the error. */
function refusal(mutate: (r: Record<string, any>) => void): SchemaValidationError {
  const errors: SchemaValidationError[] = [];
  for (const mode of ['fast', 'zod'] as const) {
    const r = structuredClone(valid()) as Record<string, any>;
    mutate(r);
    try {
      validateExperience(r, { index: 3, mode });
    } catch (error) {
      expect(SchemaValidationError.isInstance(error)).toBe(true);
      errors.push(error as SchemaValidationError);
      continue;
    }
    throw new Error(`mode ${mode} accepted the record`);
  }
  expect(errors[0]!.message).toBe(errors[1]!.message);
  return errors[0]!;
}

describe('ExperienceSchema', () => {
  it('accepts a complete record and fills the defaults of ExperienceInput', () => {
    const r = valid();
    expect(r.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.terminal).toBe(false);
    expect(r.truncated).toBe(false);
    expect(ExperienceSchema.safeParse(r).success).toBe(true);
    const bare = webStep({ episodeId: 'ep-1', step: 0 });
    delete bare.metadata.timestamps;
    delete bare.metadata.tags;
    delete bare.agentId;
    const filled = prepareExperience(bare, 0, now);
    expect(filled.metadata.timestamps.startedAt).toBe(now);
    expect(filled.metadata.tags).toEqual([]);
    expect(filled.agentId).toBe('agent-0');
  });

  it('does not modify the caller object when filling defaults', () => {
    const input = webStep({ episodeId: 'ep-1', step: 0 });
    delete input.metadata.tags;
    const before = structuredClone(input);
    completeExperience(input, now);
    expect(input).toEqual(before);
  });

  it('refuses records that break the schema, naming the field', () => {
    expect(refusal((r) => (r.reward = Number.NaN)).path).toBe('reward');
    expect(refusal((r) => delete r.metadata.self.name).path).toBe('metadata.self.name');
    expect(refusal((r) => (r.metadata.self.name = '')).path).toBe('metadata.self.name');
    expect(refusal((r) => (r.step = -1)).path).toBe('step');
    expect(refusal((r) => (r.step = 1.5)).path).toBe('step');
    expect(refusal((r) => (r.action.result.error = 'x')).path).toBe('action.result');
    expect(refusal((r) => (r.metadata.timestamps.startedAt = 'yesterday')).path).toBe(
      'metadata.timestamps.startedAt',
    );
    expect(refusal((r) => (r.metadata.tags = ['ok', ''])).path).toBe('metadata.tags.1');
    expect(refusal((r) => (r.state.images = [{ sha256: 'abc', mime: 'image/jpeg', size: 3 }])).path).toBe(
      'state.images.0.sha256',
    );
  });

  it('refuses unknown keys instead of silently dropping them', () => {
    const error = refusal((r) => (r.metadata.activeSelf = 'x'));
    expect(error.path).toBe('metadata');
    expect(error.message).toContain('activeSelf');
  });

  it('refuses values JSON would change, and says where', () => {
    const bytes = refusal((r) => (r.state.data.screenshot = new Uint8Array(4)));
    expect(bytes.path).toBe('state.data.screenshot');
    expect(bytes.message).toContain('blob store');
    expect(refusal((r) => (r.nextState.data.fields[1].value = Number.POSITIVE_INFINITY)).path).toBe(
      'nextState.data.fields.1.value',
    );
    expect(refusal((r) => (r.action.call.args = { when: new Date(0) })).path).toBe('action.call.args.when');
    expect(refusal((r) => (r.action.call.args = [1, undefined])).path).toBe('action.call.args.1');
  });

  it('allows absent args and result value (a tool without arguments or return value)', () => {
    const r = structuredClone(valid()) as Record<string, any>;
    delete r.action.call.args;
    r.action.result.value = undefined;
    expect(() => validateExperience(r, { mode: 'zod' })).not.toThrow();
    expect(() => validateExperience(JSON.parse(JSON.stringify(r)), { mode: 'zod' })).not.toThrow();
  });

  it('ties outcome to the record that ends an episode', () => {
    expect(refusal((r) => (r.outcome = 'success')).path).toBe('outcome');
    expect(refusal((r) => (r.terminal = true)).message).toContain("needs outcome 'success' or 'failure'");
    expect(
      refusal((r) => {
        r.truncated = true;
        r.outcome = 'success';
      }).path,
    ).toBe('outcome');
    expect(refusal((r) => (r.episodeReturn = 1)).path).toBe('episodeReturn');
    const ok = structuredClone(valid());
    ok.terminal = true;
    ok.outcome = 'failure';
    ok.episodeReturn = -1;
    expect(() => validateExperience(ok)).not.toThrow();
  });

  it('stores the policy decision and the MCC choice, checking the chosen index', () => {
    const r = structuredClone(valid());
    r.decision = {
      candidates: [
        { text: 'type e1 "alice@example.com"', call: { tool: 'browser_type', args: { ref: 'e1' } } },
        { text: 'click e3 "Place order"', call: { tool: 'browser_click', args: { ref: 'e3' } } },
      ],
      chosenIndex: 0,
      logProb: -0.2,
      value: 0.7,
      policy: 'nano-scorer@4',
    };
    r.metadata.mcc = {
      chosenSelf: 'form-filler',
      reason: 'form-filling tag',
      scores: { 'form-filler': 0.8 },
      round: 3,
    };
    r.metadata.actionGraph = [{ relation: 'responds-to', target: 'other-exp', agentId: 'agent-1' }];
    expect(validateExperience(r)).toBe(r);
    expect(
      refusal((x) => {
        x.decision = { candidates: [], chosenIndex: 0 };
      }).path,
    ).toBe('decision.chosenIndex');
    expect(refusal((x) => (x.metadata.mcc = { chosenSelf: 'a', reason: 'b', when: Number.NaN })).path).toBe(
      'metadata.mcc.when',
    );
  });

  it('names the record position in a batch', () => {
    const error = refusal((r) => (r.reward = 'high'));
    expect(error.index).toBe(3);
    expect(error.message).toMatch(/^record 3: field `reward`:/);
  });

  it('is exported as JSON Schema that accepts stored records and refuses broken ones', () => {
    expect(experienceJsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { 'date-time': true } });
    const check = ajv.compile(experienceJsonSchema);
    const r = JSON.parse(JSON.stringify(valid()));
    expect(check(r)).toBe(true);
    r.metadata.self = { name: 'x' };
    expect(check(r)).toBe(false);
    expect(check.errors?.[0]?.instancePath).toBe('/metadata/self');
  });
});
