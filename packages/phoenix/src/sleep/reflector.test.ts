import { describe, expect, it } from 'vitest';
import type { Diagnosis } from './diagnose';
import type { LearningObjective } from './objective';
import { MAX_ANALYSIS_CHARS, type Reflector, reflectOn } from './reflector';

function objective(): LearningObjective {
  return {
    id: 'objective-1-0',
    cycle: 1,
    targetSelf: 'Form_Filler',
    environment: 'web',
    family: 'checkout',
    skillGap: 'checkout on web: 80% of 10 sampled steps belong to failed episodes',
    summary: 'Remediate checkout failures.',
    evidence: {
      samples: 10,
      episodes: 3,
      failures: 8,
      failureRate: 0.8,
      meanAbsTd: 0.2,
      maxAbsTd: 0.5,
      topFeatures: [],
    },
    miniBatch: { id: '1', experienceIds: [] },
    analyst: 'statistical',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}
const diagnosis: Diagnosis = { groups: [], target: null };
const reflector = (reply: () => Promise<{ skillGap: string } | undefined>): Reflector => ({
  name: 'test reflector',
  reflect: reply,
});

describe('reflectOn', () => {
  it("uses the Reflector's words, whitespace collapsed and long answers cut", async () => {
    const o = objective();
    await reflectOn(
      reflector(async () => ({ skillGap: '  Form_Filler\nleaves the city empty. ' })),
      o,
      diagnosis,
    );
    expect(o.analyst).toBe('reflector');
    expect(o.skillGap).toBe('Form_Filler leaves the city empty.');
    const long = objective();
    await reflectOn(
      reflector(async () => ({ skillGap: 'x'.repeat(5000) })),
      long,
      diagnosis,
    );
    expect(long.skillGap).toHaveLength(MAX_ANALYSIS_CHARS);
  });

  it('keeps the statistical wording, and says why, when the Reflector fails or says nothing', async () => {
    const failed = objective();
    await reflectOn(
      reflector(async () => {
        throw new Error('server unreachable');
      }),
      failed,
      diagnosis,
    );
    expect(failed.analyst).toBe('statistical');
    expect(failed.skillGap).toBe(objective().skillGap);
    expect(failed.analysisNote).toMatch(/test reflector failed \(server unreachable\)/);
    const silent = objective();
    await reflectOn(
      reflector(async () => ({ skillGap: '   ' })),
      silent,
      diagnosis,
    );
    expect(silent.analyst).toBe('statistical');
    expect(silent.analysisNote).toMatch(/gave no analysis/);
  });
});
