/**
 * chimera-nano's shape. Small by default (d = 64: an agent decision costs well under a
 * millisecond of model time on one CPU core) and every part deterministic in `seed`.
 */
import { NanoModelError } from './nano-error';

/** Projections that can carry a LoRA adapter. `mlp1`/`mlp2` are shared by context and candidates. */
export type NanoProjection = 'mlp1' | 'mlp2' | 'query' | 'key';

export const NANO_PROJECTIONS: readonly NanoProjection[] = ['mlp1', 'mlp2', 'query', 'key'];

/** Names of the lexical features (one trainable weight each, part of the adapter). */
export const NANO_LEXICAL_FEATURES = [
  'goal-coverage', // share of the goal's discriminative words the candidate contains
  'goal-precision', // share of the candidate's discriminative words found in the goal
  'negated-overlap', // candidate words that the goal negates ("not the red one")
  'history-overlap', // candidate words already in the episode history (repeating an action)
  'self-overlap', // candidate words in the active self's name
] as const;

export interface NanoConfig {
  /** Width of embeddings and hidden layers. Default 64. */
  dim: number;
  /** Hash buckets of the embedding table. Default 8192. */
  buckets: number;
  /**
   * LoRA rank per adapted projection; a projection absent here is not adapted. Default
   * { query: 8, key: 8 } (2,048 LoRA entries at d = 64): on mixed synthetic families it learned
   * faster and generalized better than adapting the shared MLP layers, or a query of rank 16.
   */
  ranks: Partial<Record<NanoProjection, number>>;
  /** Multiplier of the context-candidate dot product in the logit. Default 8. */
  logitScale: number;
  /** Frozen weights of the lexical features (the adapter adds a trainable delta). */
  lexicalBase: readonly number[];
  /**
   * Multiplier of the adapter's lexical deltas. A handful of weights that need to move by several
   * units sit beside a thousand LoRA entries that need to move by tenths; under a zeroth-order
   * optimizer every coordinate gets the same step, so this gain (squared) is their relative rate.
   */
  lexicalGain: number;
  /**
   * Weight of each context section when pooling (a plain-string context is all goal). The goal's
   * overlap with candidates already enters through the lexical features, so the dense context leans
   * on the state (observation, history): state-dependent choices generalized better that way.
   */
  sectionWeights: { goal: number; self: number; observation: number; history: number };
  /** Gain of the orthogonal base matrices (1 keeps norms: the untrained towers preserve lexical similarity). */
  gain: number;
  /** Entries of the featurization cache (texts repeat: candidates and goals recur step after step). */
  cacheSize: number;
}

export const DEFAULT_NANO_CONFIG: Readonly<NanoConfig> = Object.freeze({
  dim: 64,
  buckets: 8192,
  ranks: Object.freeze({ query: 8, key: 8 }),
  logitScale: 8,
  lexicalBase: Object.freeze([3, 3, 0, 0, 0]),
  lexicalGain: 4,
  sectionWeights: Object.freeze({ goal: 0.5, self: 0.5, observation: 1, history: 1 }),
  gain: 1,
  cacheSize: 8192,
});

export function resolveNanoConfig(partial: Partial<NanoConfig> = {}): NanoConfig {
  const config: NanoConfig = {
    ...DEFAULT_NANO_CONFIG,
    ...partial,
    ranks: { ...(partial.ranks ?? DEFAULT_NANO_CONFIG.ranks) },
    sectionWeights: { ...DEFAULT_NANO_CONFIG.sectionWeights, ...partial.sectionWeights },
    lexicalBase: [...(partial.lexicalBase ?? DEFAULT_NANO_CONFIG.lexicalBase)],
  };
  const positiveInt = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) {
      throw new NanoModelError(`NanoConfig.${name} must be an integer >= ${min}, got ${v}`);
    }
  };
  positiveInt('dim', config.dim, 2);
  positiveInt('buckets', config.buckets, 2);
  positiveInt('cacheSize', config.cacheSize, 1);
  for (const [name, rank] of Object.entries(config.ranks)) {
    if (!NANO_PROJECTIONS.includes(name as NanoProjection)) {
      throw new NanoModelError(
        `NanoConfig.ranks has unknown projection "${name}"; adaptable projections are ${NANO_PROJECTIONS.join(', ')}`,
      );
    }
    positiveInt(`ranks.${name}`, rank as number, 1);
  }
  if (config.lexicalBase.length !== NANO_LEXICAL_FEATURES.length) {
    throw new NanoModelError(
      `NanoConfig.lexicalBase needs ${NANO_LEXICAL_FEATURES.length} weights (${NANO_LEXICAL_FEATURES.join(', ')}), got ${config.lexicalBase.length}`,
    );
  }
  for (const [name, v] of [
    ['logitScale', config.logitScale],
    ['gain', config.gain],
    ['lexicalGain', config.lexicalGain],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new NanoModelError(`NanoConfig.${name} must be > 0, got ${v}`);
  }
  return config;
}
