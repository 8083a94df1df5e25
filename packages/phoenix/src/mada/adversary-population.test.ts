import { describe, expect, it } from 'vitest';
import { Mulberry32 } from '../curriculum/random';
import { AdversaryPopulation, type Variation } from './adversary-population';

const v = (family: string): Variation => ({ environment: 'web', family, difficulty: 1 });

describe('AdversaryPopulation', () => {
  it('learns to propose the solvable variation the protagonist fails, not the impossible one', () => {
    const population = new AdversaryPopulation({ variations: [v('easy'), v('weak-spot'), v('impossible')] });
    // Known reachable scores: the easy and weak-spot variations have been solved before; nobody ever solved "impossible".
    population.observe(v('easy'), 1);
    population.observe(v('weak-spot'), 1);
    const protagonist: Record<string, number> = { easy: 1, 'weak-spot': 0, impossible: 0 };
    const adversary = population.spawn(0);
    const random = new Mulberry32(3);
    for (let i = 0; i < 300; i++) {
      const proposal = population.propose(adversary, random);
      population.reinforce(
        adversary,
        proposal,
        population.regret(proposal, protagonist[proposal.family]!),
        0.5,
      );
    }
    const counts: Record<string, number> = { easy: 0, 'weak-spot': 0, impossible: 0 };
    for (let i = 0; i < 500; i++) counts[population.propose(adversary, random).family]!++;
    expect(counts['weak-spot']).toBeGreaterThan(counts.easy! + counts.impossible!);
  });

  it('keeps every adversary and round-trips through JSON', () => {
    const population = new AdversaryPopulation({ variations: [v('a'), v('b')] });
    population.spawn(0);
    population.spawn(1);
    population.observe(v('a'), 0.5);
    const copy = new AdversaryPopulation(JSON.parse(JSON.stringify(population.toJSON())));
    expect(copy.members().map((a) => a.id)).toEqual(['adversary-0', 'adversary-1']);
    expect(copy.regret(v('a'), 0.2)).toBeCloseTo(0.3);
    expect(copy.regret(v('b'), 0)).toBe(0);
  });
});
