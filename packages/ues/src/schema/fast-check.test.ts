import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webStep } from '../__fixtures__/experiences';
import { SchemaValidationError } from '../errors/schema-validation-error';
import { ExperienceSchema } from './experience-schema';
import { fastAcceptsExperience } from './fast-check';
import { prepareExperience, validateExperience } from './validate';

/** A valid record exercising every optional part, so mutations can reach every field. */
function fullRecord(): Record<string, unknown> {
  const r = structuredClone(
    prepareExperience(webStep({ episodeId: 'ep', step: 4 }), 0, '2025-01-01T00:00:00.000Z'),
  );
  r.terminal = true;
  r.outcome = 'success';
  r.episodeReturn = 1;
  r.state.images = [
    { sha256: 'a'.repeat(64), mime: 'image/png', size: 10, width: 2, height: 3, label: 'frame' },
  ];
  r.decision = {
    candidates: [{ text: 'click', call: { tool: 'browser_click', args: { ref: 'e3' } } }],
    chosenIndex: 0,
    logProb: -1,
    value: 0.5,
    policy: 'p',
  };
  r.metadata.mcc = { chosenSelf: 's', reason: 'r', scores: { s: 1 }, extra: [1] };
  r.metadata.actionGraph = [{ relation: 'enables', target: 'x', agentId: 'b' }];
  r.metadata.extra = { seed: 7 };
  r.metadata.timestamps.endedAt = '2025-01-01T00:00:01.000Z';
  r.action.result = {
    ok: false,
    tool: 'browser_click',
    error: { code: 'stale_entity', message: 'gone', details: { ref: 'e3' } },
    durationMs: 3,
  };
  return r as unknown as Record<string, unknown>;
}

/** Every path to a value inside the record (objects and arrays included). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value))
      out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
  }
  return out;
}

const strange: unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  0,
  1.5,
  2 ** 60,
  '',
  'x',
  'a'.repeat(300),
  true,
  [],
  {},
  [undefined],
  '2025-02-30T00:00:00.000Z',
  '2025-01-01T00:00:00Z',
  '2025-01-01T00:00:00.000+02:00',
  '+275760-09-13T00:00:00.000Z',
  'success',
  'truncated',
  'image/png',
  'handler_error',
  'blocks',
  new Uint8Array(2),
  new Date(0),
  Object.create(null),
  { unexpected: 1 },
  () => 1,
  10n,
];
const weird = fc.oneof(fc.constantFrom(...strange), fc.anything());

function edit(
  record: Record<string, unknown>,
  path: (string | number)[],
  value: unknown,
  remove: boolean,
): boolean {
  if (path.length === 0) return false;
  let parent: any = record;
  for (const key of path.slice(0, -1)) {
    parent = parent?.[key];
    if (typeof parent !== 'object' || parent === null) return false;
  }
  // Only edit plain containers (a typed array put there by an earlier edit coerces).
  if (typeof parent !== 'object' || parent === null || ArrayBuffer.isView(parent)) return false;
  const last = path[path.length - 1]!;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return true;
}

function agrees(r: Record<string, unknown>): void {
  if (fastAcceptsExperience(r)) expect(ExperienceSchema.safeParse(r).success).toBe(true);
  // Whatever the input, a refusal is a SchemaValidationError, never a crash of the validator.
  try {
    validateExperience(r);
  } catch (error) {
    expect(SchemaValidationError.isInstance(error)).toBe(true);
  }
}

describe('fastAcceptsExperience', () => {
  it('accepts the ordinary valid record (the fast path is taken)', () => {
    expect(fastAcceptsExperience(fullRecord())).toBe(true);
    expect(
      fastAcceptsExperience(
        prepareExperience(webStep({ episodeId: 'e', step: 0 }), 0, new Date().toISOString()),
      ),
    ).toBe(true);
  });

  it('never accepts a record that zod refuses: every field set to every strange value, or removed', () => {
    const base = fullRecord();
    let refused = 0;
    for (const path of paths(base)) {
      for (const value of [...strange, Symbol.for('remove')]) {
        const r = structuredClone(base);
        const remove = value === Symbol.for('remove');
        if (!edit(r, path, value, remove)) continue;
        agrees(r);
        if (!fastAcceptsExperience(r)) refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });

  it('never accepts a record that zod refuses: random combinations of edits', () => {
    const base = fullRecord();
    const all = paths(base);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), weird, fc.boolean()), { minLength: 1, maxLength: 3 }),
        (edits) => {
          const r = structuredClone(base);
          for (const [i, value, remove] of edits) edit(r, all[i]!, value, remove);
          agrees(r);
        },
      ),
      { numRuns: 1500, seed: 42 },
    );
  });
});
