/**
 * Wake, learning: QuZO fine-tuning of one Self's adapter on a learning objective's mini-batch,
 * with the base model frozen. Two zeroth-order optimizers share the run's seed: one on the
 * policy tensors (advantage-weighted log-likelihood of the chosen actions), one on the value head
 * (regression to discounted returns); perturbing the value head on the policy loss would only
 * add noise, since the logits do not depend on it.
 */
import {
  advantageWeightedLogLikelihood,
  type LoraWeights,
  NANO_TRAINING_DEFAULTS,
  type NanoPolicyModel,
  QuZOOptimizer,
  valueRegressionLoss,
} from '@chimera/runtime-cuda';
import { Mulberry32 } from '../curriculum/random';
import type { TrainingExample } from './training-examples';

export interface AdapterTrainingOptions {
  model: NanoPolicyModel;
  /** Trained in place (the caller keeps a snapshot if it may roll back). */
  lora: LoraWeights;
  examples: readonly TrainingExample[];
  steps: number;
  seed: number;
  batchSize?: number;
  lr?: number;
  eps?: number;
  /** 4-bit SR-quantized perturbations (QuZO) or full precision (null: MeZO). */
  perturbBits?: 4 | 8 | null;
  /** Clip of the normalized advantages. */
  advantageClip?: number;
  /** Called every few steps with the running loss (progress output). */
  onProgress?: (info: { step: number; steps: number; loss: number }) => void;
}

export interface AdapterTrainingReport {
  steps: number;
  examples: number;
  policyLossBefore: number;
  policyLossAfter: number;
  valueLossBefore: number;
  valueLossAfter: number;
  durationMs: number;
}

export async function trainAdapter(options: AdapterTrainingOptions): Promise<AdapterTrainingReport> {
  const started = performance.now();
  const { model, lora, examples } = options;
  if (examples.length === 0) {
    return {
      steps: 0,
      examples: 0,
      policyLossBefore: 0,
      policyLossAfter: 0,
      valueLossBefore: 0,
      valueLossAfter: 0,
      durationMs: 0,
    };
  }
  const batchSize = Math.min(options.batchSize ?? NANO_TRAINING_DEFAULTS.batchSize, examples.length);
  const clip = options.advantageClip ?? 2;
  const common = {
    eps: options.eps ?? NANO_TRAINING_DEFAULTS.eps,
    perturbBits: options.perturbBits === undefined ? NANO_TRAINING_DEFAULTS.perturbBits : options.perturbBits,
    gradBits: NANO_TRAINING_DEFAULTS.gradBits,
    directions: NANO_TRAINING_DEFAULTS.directions,
  } as const;
  const policyOptimizer = new QuZOOptimizer({
    ...common,
    params: lora.policyParameters(),
    lr: options.lr ?? NANO_TRAINING_DEFAULTS.lr,
    seed: options.seed >>> 0,
    keepLog: false,
  });
  const valueOptimizer = new QuZOOptimizer({
    ...common,
    params: lora.valueParameters(),
    lr: options.lr ?? NANO_TRAINING_DEFAULTS.lr,
    seed: (options.seed ^ 0x9e3779b9) >>> 0,
    keepLog: false,
  });
  // Advantages are standardized over the whole mini-batch once, so every step sees the same scale.
  const raw = examples.map((e) => e.advantage);
  const mean = raw.reduce((s, v) => s + v, 0) / raw.length;
  const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / raw.length);
  const advantages = raw.map((v) => Math.max(-clip, Math.min(clip, sd > 1e-9 ? (v - mean) / sd : v)));

  const random = new Mulberry32(options.seed ^ 0x51ed);
  const prepareBatch = (indices: number[]) =>
    model.prepare(
      indices.map((i) => ({ context: examples[i]!.context, candidates: examples[i]!.candidates })),
    );
  const policyLoss = async (indices: number[], prepared: ReturnType<typeof prepareBatch>) => {
    const scores = await model.score(prepared, lora);
    return advantageWeightedLogLikelihood(
      scores.logits,
      indices.map((i) => examples[i]!.chosen),
      indices.map((i) => advantages[i]!),
    );
  };
  const valueLoss = async (indices: number[], prepared: ReturnType<typeof prepareBatch>) => {
    const scores = await model.score(prepared, lora);
    return valueRegressionLoss(
      scores.values,
      Float32Array.from(indices.map((i) => examples[i]!.valueTarget)),
    );
  };
  const all = examples.map((_, i) => i);
  const allPrepared = prepareBatch(all);
  const policyLossBefore = await policyLoss(all, allPrepared);
  const valueLossBefore = await valueLoss(all, allPrepared);
  for (let step = 0; step < options.steps; step++) {
    const indices = Array.from({ length: batchSize }, () => Math.floor(random.next() * examples.length));
    const prepared = prepareBatch(indices);
    const result = await policyOptimizer.step(() => policyLoss(indices, prepared));
    await valueOptimizer.step(() => valueLoss(indices, prepared));
    if (options.onProgress && (step % 25 === 0 || step === options.steps - 1)) {
      options.onProgress({ step, steps: options.steps, loss: result.loss });
    }
  }
  return {
    steps: options.steps,
    examples: examples.length,
    policyLossBefore,
    policyLossAfter: await policyLoss(all, allPrepared),
    valueLossBefore,
    valueLossAfter: await valueLoss(all, allPrepared),
    durationMs: performance.now() - started,
  };
}
