/**
 * Zeroth-order training settings measured for chimera-nano (d = 64, LoRA on query and key, rank 8;
 * synthetic families that need knowledge not in the goal: site conventions, negation, crafting
 * order, plus a lexical control; see nano-learning.test.ts and docs/runtime-cuda.md).
 *
 * Measured on 2 shared CPU cores with an exploratory harness (the same four kinds of families,
 * slightly different generators), 1,500 QuZO steps of batch 32 on the mixed families (held-out
 * accuracy): lr 3e-3 -> 70%, 1e-2 -> 86-90%, 2e-2 -> 84%, 3e-2 -> 81%; none diverged. Without the
 * unit-normalized dot product, lr 1e-2 diverged (logits blew up), as the prototype's did at 3e-3.
 * eps 1e-3 and 1e-2 behaved alike; 4-bit QuZO matched MeZO within noise.
 */
export const NANO_TRAINING_DEFAULTS = Object.freeze({
  /** Learning rate for QuZOOptimizer on chimera-nano's adapter. */
  lr: 1e-2,
  /** Perturbation scale. */
  eps: 1e-3,
  perturbBits: 4 as const,
  gradBits: 8 as const,
  directions: 1,
  /** Decisions per step (each step scores the batch twice). */
  batchSize: 32,
  /** Learning rates that trained without diverging in the measurements above. */
  stableLrRange: Object.freeze([3e-3, 3e-2] as const),
});
