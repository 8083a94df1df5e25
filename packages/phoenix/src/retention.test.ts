/** retentionFamilies: which families a new version of a Self must keep before it is committed. */
import type { Experience } from '@chimera/ues';
import { describe, expect, it } from 'vitest';
import { retentionFamilies } from './cycle';

function step(self: string, environment: string, family: string): Experience {
  return {
    metadata: { self: { name: self, version: 'v1' }, environment, task: { family } },
  } as unknown as Experience;
}

const worlds = [{ name: 'web' }, { name: 'minecraft' }];

describe('retentionFamilies', () => {
  it("includes the families the Self solved before, not only the mini-batch's", () => {
    const miniBatch = [
      step('Builder', 'minecraft', 'craft-sticks'),
      step('Builder', 'minecraft', 'craft-planks'),
    ];
    const solved = [
      step('Builder', 'minecraft', 'build-structure'),
      step('Builder', 'minecraft', 'craft-planks'),
    ];
    expect(retentionFamilies('Builder', 'craft-sticks', miniBatch, worlds)).toEqual([
      { environment: 'minecraft', family: 'craft-planks' },
    ]);
    expect(retentionFamilies('Builder', 'craft-sticks', [...miniBatch, ...solved], worlds)).toEqual([
      { environment: 'minecraft', family: 'build-structure' },
      { environment: 'minecraft', family: 'craft-planks' },
    ]);
  });

  it("leaves out the objective's family, other Selves' steps and environments not running", () => {
    const records = [
      step('Builder', 'minecraft', 'craft-sticks'),
      step('Navigator', 'web', 'navigation'),
      step('Builder', 'toy', 'lexical'),
      step('Builder', 'web', 'checkout'),
    ];
    expect(retentionFamilies('Builder', 'craft-sticks', records, worlds)).toEqual([
      { environment: 'web', family: 'checkout' },
    ]);
  });
});
