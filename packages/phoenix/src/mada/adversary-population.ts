/**
 * Adversarial data generation after ROTATE (arXiv 2505.23686), mapped to task variations: an
 * adversary is a distribution over task variations (family, difficulty, generator seed offsets)
 * that it proposes to the protagonist. It is rewarded by regret, the best score known to be
 * reachable on that variation minus the protagonist's score there, so variations nobody has ever
 * solved earn nothing (no reward for impossible tasks, ROTATE's "competent teammates" condition).
 * Every adversary ever trained is kept in a population; sessions sample from the whole population
 * so the protagonist keeps facing old weaknesses too.
 */
import type { SeededRandomLike } from '../curriculum/random';

export interface Variation {
  environment: string;
  family: string;
  difficulty: number;
}

export interface Adversary {
  id: string;
  generation: number;
  /** Unnormalized preference per variation key. */
  logits: Record<string, number>;
  /** Mean regret it earned while it was trained. */
  meanRegret: number;
}

export interface AdversaryPopulationState {
  variations: Variation[];
  adversaries: Adversary[];
  /** Best score ever seen per variation key (any agent, any cycle). */
  bestKnown: Record<string, number>;
}

export const variationKey = (v: Variation) => `${v.environment}/${v.family}/${v.difficulty}`;

export class AdversaryPopulation {
  private readonly variations: Variation[];
  private readonly adversaries: Adversary[];
  private readonly bestKnown: Record<string, number>;

  constructor(state: AdversaryPopulationState | { variations: Variation[] }) {
    if (state.variations.length === 0)
      throw new RangeError('an adversary population needs at least one variation');
    this.variations = state.variations.map((v) => ({ ...v }));
    this.adversaries =
      'adversaries' in state ? state.adversaries.map((a) => ({ ...a, logits: { ...a.logits } })) : [];
    this.bestKnown = 'bestKnown' in state ? { ...state.bestKnown } : {};
  }

  /** Record any agent's score on a variation: it raises what is known to be reachable there. */
  observe(variation: Variation, score: number): void {
    const k = variationKey(variation);
    this.bestKnown[k] = Math.max(this.bestKnown[k] ?? 0, score);
  }

  regret(variation: Variation, protagonistScore: number): number {
    return Math.max(0, (this.bestKnown[variationKey(variation)] ?? 0) - protagonistScore);
  }

  /** Start a new adversary for this generation, initialised uniform. */
  spawn(generation: number): Adversary {
    const adversary: Adversary = {
      id: `adversary-${generation}`,
      generation,
      logits: Object.fromEntries(this.variations.map((v) => [variationKey(v), 0])),
      meanRegret: 0,
    };
    this.adversaries.push(adversary);
    return adversary;
  }

  /** Sample from one adversary's distribution (softmax over its logits). */
  propose(adversary: Adversary, random: SeededRandomLike): Variation {
    const keys = this.variations.map(variationKey);
    const max = Math.max(...keys.map((k) => adversary.logits[k] ?? 0));
    const weights = keys.map((k) => Math.exp((adversary.logits[k] ?? 0) - max));
    const total = weights.reduce((a, b) => a + b, 0);
    let u = random.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u <= 0) return { ...this.variations[i]! };
    }
    return { ...this.variations[this.variations.length - 1]! };
  }

  /** Reward the adversary with the regret its proposal caused (REINFORCE on a softmax, baseline = running mean). */
  reinforce(adversary: Adversary, variation: Variation, regret: number, learningRate = 1): void {
    const keys = this.variations.map(variationKey);
    const max = Math.max(...keys.map((k) => adversary.logits[k] ?? 0));
    const weights = keys.map((k) => Math.exp((adversary.logits[k] ?? 0) - max));
    const total = weights.reduce((a, b) => a + b, 0);
    const advantage = regret - adversary.meanRegret;
    const chosen = variationKey(variation);
    keys.forEach((k, i) => {
      const p = weights[i]! / total;
      adversary.logits[k] =
        (adversary.logits[k] ?? 0) + learningRate * advantage * ((k === chosen ? 1 : 0) - p);
    });
    adversary.meanRegret = 0.8 * adversary.meanRegret + 0.2 * regret;
  }

  /** Pick an adversary from the whole population: the newest half the time, otherwise any past one. */
  pick(random: SeededRandomLike): Adversary | undefined {
    if (this.adversaries.length === 0) return undefined;
    if (random.next() < 0.5) return this.adversaries[this.adversaries.length - 1];
    return this.adversaries[Math.floor(random.next() * this.adversaries.length)];
  }

  members(): readonly Adversary[] {
    return this.adversaries;
  }

  toJSON(): AdversaryPopulationState {
    return { variations: this.variations, adversaries: this.adversaries, bestKnown: this.bestKnown };
  }
}
