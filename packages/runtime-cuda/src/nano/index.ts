export {
  createBaseWeights,
  NANO_BASE_PROJECTIONS,
  type NamedMatrix,
  type NanoBaseProjection,
  type NanoBaseWeights,
} from './base-weights';
export { type NanoContext, NanoFeaturizer, type NanoGroup, type PreparedBatch } from './featurizer';
export {
  fnv1a,
  type HashedTokens,
  type HashTokenizeOptions,
  hashTokenize,
  type WordToken,
  wordTokens,
} from './hash-tokenizer';
export { initializeLora, type LoraTensorSpec, LoraWeights } from './lora-weights';
export {
  DEFAULT_NANO_CONFIG,
  NANO_LEXICAL_FEATURES,
  NANO_PROJECTIONS,
  type NanoConfig,
  type NanoProjection,
  resolveNanoConfig,
} from './nano-config';
export { NanoModelError } from './nano-error';
export {
  buildNanoGraph,
  NANO_INPUTS,
  NANO_OUTPUTS,
  type NanoQuantizedBase,
  NORM_EPSILON,
  nanoLoraSpec,
  quantizedParts,
} from './nano-graph';
export {
  DEFAULT_NANO_SEED,
  NanoPolicyModel,
  type NanoPolicyModelOptions,
  type NanoScores,
} from './nano-policy-model';
export { candidateAccuracy, candidateCrossEntropy, valueSquaredError } from './policy-loss';
export { orthogonalMatrix, seededNormal, seededUniform } from './seeded-random';
export { NANO_TRAINING_DEFAULTS } from './training-defaults';
