/**
 * The Meta-Cognitive Controller's own adapter (the `Meta_Cognitive_Controller` Self): a chimera-nano
 * LoRA that reads a (task, sub-task) context and scores every acting Self's description as a
 * candidate. It is trained with QuZO on the controller's outcomes (advantage-weighted
 * log-likelihood of the Self that was chosen: choices that beat their family's average score are
 * made likelier), a few dozen steps per training round, so it costs seconds over a whole run.
 */
import {
  advantageWeightedLogLikelihood,
  type LoraWeights,
  NANO_TRAINING_DEFAULTS,
  type NanoContext,
  type NanoPolicyModel,
  QuZOOptimizer,
} from '@chimera/runtime-cuda';

export interface ControllerExample {
  /** Posterior key of the decision (environment/family/sub-task): the advantage baseline groups by it. */
  key: string;
  goal: string;
  situation: string;
  /** Index of the chosen Self among the candidates. */
  chosen: number;
  /** Episode score in [0, 1]. */
  score: number;
}

export interface ControllerTrainingReport {
  steps: number;
  examples: number;
  lossBefore: number;
  lossAfter: number;
}

export class ControllerAdapter {
  private readonly cache = new Map<string, Float64Array>();
  private generation = 0;

  constructor(
    private readonly model: NanoPolicyModel,
    /** The adapter's live tensors (trained in place). */
    readonly weights: LoraWeights,
    private readonly candidates: readonly string[],
  ) {}

  /** How many times it has been trained (cache generation). */
  get trainings(): number {
    return this.generation;
  }

  /** Softmax over the candidates for this context (cached until the next training). */
  async probabilities(goal: string, situation: string): Promise<Float64Array> {
    const key = `${goal}\u0000${situation}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const scores = await this.model.score(
      [{ context: context(goal, situation), candidates: this.candidates }],
      this.weights,
    );
    const probs = softmax(scores.logits[0]!);
    if (this.cache.size >= 512) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, probs);
    return probs;
  }

  /**
   * QuZO on the advantage-weighted log-likelihood of the chosen Selves. Advantages are each
   * example's score minus the mean score of its key (so only choices that beat, or fall short of,
   * the alternatives for the same kind of task move the adapter). Returns null when there is no
   * signal (every advantage zero).
   */
  async train(
    examples: readonly ControllerExample[],
    options: { steps: number; seed: number; lr?: number },
  ): Promise<ControllerTrainingReport | null> {
    const sums = new Map<string, { total: number; n: number }>();
    for (const e of examples) {
      const s = sums.get(e.key) ?? { total: 0, n: 0 };
      s.total += e.score;
      s.n++;
      sums.set(e.key, s);
    }
    const advantages = examples.map((e) => {
      const s = sums.get(e.key)!;
      return e.score - s.total / s.n;
    });
    if (advantages.every((a) => Math.abs(a) < 1e-9)) return null;
    const prepared = this.model.prepare(
      examples.map((e) => ({ context: context(e.goal, e.situation), candidates: this.candidates })),
    );
    const actions = examples.map((e) => e.chosen);
    const loss = async () => {
      const { logits } = await this.model.score(prepared, this.weights);
      return advantageWeightedLogLikelihood(logits, actions, advantages, { clip: 1 });
    };
    const lossBefore = await loss();
    const optimizer = new QuZOOptimizer({
      params: this.weights.policyParameters(),
      lr: options.lr ?? NANO_TRAINING_DEFAULTS.lr,
      eps: NANO_TRAINING_DEFAULTS.eps,
      perturbBits: NANO_TRAINING_DEFAULTS.perturbBits,
      gradBits: NANO_TRAINING_DEFAULTS.gradBits,
      directions: 1,
      seed: options.seed >>> 0,
      keepLog: false,
    });
    for (let i = 0; i < options.steps; i++) await optimizer.step(loss);
    const lossAfter = await loss();
    this.cache.clear();
    this.generation++;
    return { steps: options.steps, examples: examples.length, lossBefore, lossAfter };
  }

  /** Drops cached probabilities (after the weights were replaced from outside). */
  invalidate(): void {
    this.cache.clear();
  }
}

function context(goal: string, situation: string): NanoContext {
  return { goal, observation: situation };
}

function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}
