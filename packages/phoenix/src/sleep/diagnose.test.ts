import { describe, expect, it } from 'vitest';
import { type DiagnosisSample, diagnose } from './diagnose';
import { objectiveFromDiagnosis } from './objective';

function samples(
  self: string,
  family: string,
  n: number,
  failRate: number,
  td: number,
  feature: string,
): DiagnosisSample[] {
  return Array.from({ length: n }, (_, i) => ({
    experienceId: `${self}-${family}-${i}`,
    episodeId: `${self}-${family}-ep${i >> 1}`,
    self,
    environment: 'web',
    family,
    features: [feature],
    episodeSuccess: i >= Math.round(n * failRate),
    tdError: i % 2 ? td : -td,
  }));
}

describe('Sleep diagnosis', () => {
  it('targets the Self and family with frequent, surprising failures and writes an objective with evidence', () => {
    const batch = [
      ...samples('Form_Filler', 'checkout', 40, 0.75, 0.8, 'page:/checkout'),
      ...samples('Playwright_Navigator', 'navigation', 40, 0.1, 0.2, 'page:/'),
      ...samples('Form_Filler', 'contact-form', 6, 1, 0.1, 'page:/contact'),
    ];
    const d = diagnose(batch);
    expect(d.target?.self).toBe('Form_Filler');
    expect(d.target?.family).toBe('checkout');
    expect(d.target?.failures).toBe(30);
    const objective = objectiveFromDiagnosis({
      cycle: 2,
      miniBatchId: '7',
      experienceIds: batch.map((s) => s.experienceId),
      diagnosis: d,
      target: d.target!,
      now: new Date(0),
    });
    expect(objective.summary).toBe(
      'Remediate checkout failures. Target Self: Form_Filler. Data: mini-batch #7, 40 high-TD web steps from 20 episodes.',
    );
    expect(objective.evidence.failureRate).toBeCloseTo(0.75);
    expect(objective.evidence.meanAbsTd).toBeCloseTo(0.8);
  });

  it('returns no target when nothing failed', () => {
    expect(diagnose(samples('A', 'f', 10, 0, 0.5, 'x')).target).toBeNull();
  });
});
