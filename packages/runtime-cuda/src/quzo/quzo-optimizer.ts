/**
 * QuZO (arXiv 2502.12346): fine-tuning from forward passes only, with low-bit perturbations.
 *
 * One step, for each of n directions j: draw u_j ~ N(0, I) from (seed, step, j) (never stored),
 * SR-quantize it to `perturbBits` (u1), evaluate L(theta + eps u1) and L(theta - eps u1) in place,
 * restore theta bit for bit, and take g_j = (L+ - L-) / (2 eps). The n projected gradients are
 * INT8-quantized together (`gradBits: 8`), then one fused pass applies
 * theta <- theta - lr (sum_j (g_j / n) u2_j + wd theta), where u2_j is u_j SR-quantized with an
 * independent draw of its own sub-seed (the paper's unbiased estimator; the reference code reuses
 * the perturbation's draw, which biases the update). `perturbBits: null` is MeZO (u1 = u2 = u).
 *
 * Memory: besides the parameters, a step holds only the restore scratch (1 bit per parameter plus
 * a sparse ledger, see in-place-perturbation.ts) and O(n x tensors) scalars: no gradient, no
 * optimizer state.
 */
import type { KernelSet, NoiseSpec, UpdateDirection } from '../kernels/kernel-set';
import { type Quantizer, quantizerFor } from '../kernels/noise';
import { typescriptKernels } from '../kernels/typescript-kernels';
import { InPlacePerturbation } from './in-place-perturbation';
import { QuZOError } from './quzo-error';
import { directionSeed, type QuZOStepRecord, quantizeGradientsInt8 } from './replay-log';
import { parseSchedule, type Schedule, scheduleValue } from './schedules';

export interface QuZOOptions {
  /** Trainable parameter tensors; perturbed and updated in place. */
  params: Float32Array[];
  lr: number | Schedule;
  eps: number | Schedule;
  /** Bit-width of the SR-quantized perturbation; null = full precision (MeZO). */
  perturbBits: 4 | 8 | null;
  /** INT8 quantization of the projected gradients; null keeps them in float64. */
  gradBits: 8 | null;
  /** Directions (pairs of forward passes) per step, n >= 1. */
  directions: number;
  /** uint32 run seed; every random number of the run derives from it. */
  seed: number;
  /** Decoupled weight decay, one value for all tensors or one per tensor (0 for biases/norms). */
  weightDecay?: number | readonly number[];
  /** Kernel backend; defaults to the TypeScript kernels (see `kernels()` in the native subpath). */
  kernels?: KernelSet;
  /** Elements per kernel call, a multiple of 8 (default 65536). */
  chunkSize?: number;
  /** Keep the per-step replay log in memory and in `state()` (default true). */
  keepLog?: boolean;
}

export interface QuZOStepResult {
  /** Index of the step just taken (0-based). */
  step: number;
  /** Mean of L+ and L- over the directions: the loss at theta, to second order in eps. */
  loss: number;
  lossPlus: number;
  lossMinus: number;
  /** Mean projected gradient over the directions (after INT8 quantization when on). */
  projectedGradient: number;
  /** Per-direction projected gradients, as applied. */
  projectedGradients: number[];
  lr: number;
  eps: number;
  /** Elements the restore ledger needed this step (largest over the directions). */
  ledgerEntries: number;
}

/** Everything needed to resume a run: a few scalars, the schedules and the replay log. */
export interface QuZOState {
  version: 1;
  seed: number;
  step: number;
  lr: number | Schedule;
  eps: number | Schedule;
  perturbBits: 4 | 8 | null;
  gradBits: 8 | null;
  directions: number;
  weightDecay: number[];
  tensorLengths: number[];
  log: QuZOStepRecord[];
}

type LossFn = () => number | Promise<number>;

function checkOptions(o: QuZOOptions): number[] {
  if (!Array.isArray(o.params) || o.params.length === 0) {
    throw new QuZOError('params must be a non-empty array of Float32Array tensors');
  }
  o.params.forEach((p, t) => {
    if (!(p instanceof Float32Array)) throw new QuZOError(`params[${t}] must be a Float32Array`);
    if (p.length >= 2 ** 32)
      throw new QuZOError(`params[${t}] has ${p.length} elements; split tensors >= 2^32`);
  });
  if (o.perturbBits !== null && o.perturbBits !== 4 && o.perturbBits !== 8) {
    throw new QuZOError(`perturbBits must be 4, 8 or null (MeZO), got ${o.perturbBits}`);
  }
  if (o.gradBits !== null && o.gradBits !== 8)
    throw new QuZOError(`gradBits must be 8 or null, got ${o.gradBits}`);
  if (!Number.isInteger(o.directions) || o.directions < 1) {
    throw new QuZOError(`directions must be an integer >= 1, got ${o.directions}`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new QuZOError(`seed must be an integer in [0, 2^32), got ${o.seed}`);
  }
  parseSchedule(o.lr, 'lr');
  parseSchedule(o.eps, 'eps');
  const wd = o.weightDecay ?? 0;
  const perTensor = typeof wd === 'number' ? o.params.map(() => wd) : [...wd];
  if (perTensor.length !== o.params.length || perTensor.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new QuZOError(
      `weightDecay must be a number >= 0 or one per tensor (${o.params.length}), got ${JSON.stringify(wd)}`,
    );
  }
  const chunk = o.chunkSize ?? 65536;
  if (!Number.isInteger(chunk) || chunk < 8 || chunk % 8 !== 0) {
    throw new QuZOError(`chunkSize must be a multiple of 8 (>= 8), got ${chunk}`);
  }
  return perTensor;
}

export class QuZOOptimizer {
  readonly params: readonly Float32Array[];
  private readonly kernels: KernelSet;
  private readonly perturbation: InPlacePerturbation;
  private readonly weightDecay: number[];
  private readonly log: QuZOStepRecord[] = [];
  private stepCount = 0;
  private busy = false;

  constructor(private readonly options: QuZOOptions) {
    this.weightDecay = checkOptions(options);
    this.params = options.params;
    this.kernels = options.kernels ?? typescriptKernels;
    this.perturbation = new InPlacePerturbation(this.kernels, this.params, options.chunkSize ?? 65536);
  }

  /** Steps taken so far (the index of the next step). */
  get stepsTaken(): number {
    return this.stepCount;
  }

  /** The kernel backend in use. */
  get backend(): KernelSet['backend'] {
    return this.kernels.backend;
  }

  /** Bytes of scratch the optimizer holds (restore hints and ledger); parameters are the caller's. */
  get scratchBytes(): number {
    return this.perturbation.scratchBytes;
  }

  /** Replay records of the steps taken (empty when keepLog is false). */
  get records(): readonly QuZOStepRecord[] {
    return this.log;
  }

  /** Quantizers of direction `seed` for every tensor (null for MeZO). */
  private quantizers(seed: number): (Quantizer | null)[] {
    const bits = this.options.perturbBits;
    return this.params.map((p, t) => {
      if (bits === null) return null;
      const { min, max } = this.kernels.gaussianRange(seed, t, p.length);
      return quantizerFor(min, max, bits);
    });
  }

  /**
   * One QuZO step. `loss` is evaluated 2n times with the parameters perturbed in place; it must
   * read `params` and must not modify them. If it throws or returns a non-finite value, the
   * parameters are restored exactly and the step is not taken.
   */
  async step(loss: LossFn): Promise<QuZOStepResult> {
    if (this.busy)
      throw new QuZOError('step() called while another step is running; await the previous step');
    this.busy = true;
    try {
      return await this.runStep(loss);
    } finally {
      this.busy = false;
    }
  }

  private async evaluate(loss: LossFn, which: string): Promise<number> {
    let value: number;
    try {
      value = await loss();
    } catch (error) {
      this.perturbation.restore();
      throw error;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.perturbation.restore();
      throw new QuZOError(
        `loss returned ${String(value)} at ${which} of step ${this.stepCount}; parameters were restored and no update was made`,
      );
    }
    return value;
  }

  private async runStep(loss: LossFn): Promise<QuZOStepResult> {
    const t = this.stepCount;
    const lr = scheduleValue(this.options.lr, t);
    const eps = scheduleValue(this.options.eps, t);
    if (!(eps > 0)) throw new QuZOError(`eps at step ${t} is ${eps}; it must be > 0`);
    const n = this.options.directions;
    const seeds: number[] = [];
    const quantizers: (Quantizer | null)[][] = [];
    const raw: number[] = [];
    let sumPlus = 0;
    let sumMinus = 0;
    let ledger = 0;
    for (let j = 0; j < n; j++) {
      const seed = directionSeed(this.options.seed, t, j);
      const qs = this.quantizers(seed);
      seeds.push(seed);
      quantizers.push(qs);
      const noises: NoiseSpec[] = qs.map((quantizer, tensor) => ({ seed, tensor, quantizer }));
      this.perturbation.plus(noises, eps);
      ledger = Math.max(ledger, this.perturbation.ledgerEntries);
      const lossPlus = await this.evaluate(loss, `theta + eps u (direction ${j})`);
      this.perturbation.minus();
      const lossMinus = await this.evaluate(loss, `theta - eps u (direction ${j})`);
      this.perturbation.restore();
      sumPlus += lossPlus;
      sumMinus += lossMinus;
      raw.push((lossPlus - lossMinus) / (2 * eps));
    }
    const g = this.options.gradBits === 8 ? quantizeGradientsInt8(raw).values : raw;
    this.applyUpdate(seeds, quantizers, g, lr);
    if (this.options.keepLog !== false) this.log.push({ step: t, lr, projectedGradients: g });
    this.stepCount = t + 1;
    return {
      step: t,
      loss: (sumPlus + sumMinus) / (2 * n),
      lossPlus: sumPlus / n,
      lossMinus: sumMinus / n,
      projectedGradient: g.reduce((s, v) => s + v, 0) / n,
      projectedGradients: g,
      lr,
      eps,
      ledgerEntries: ledger,
    };
  }

  private applyUpdate(
    seeds: number[],
    quantizers: (Quantizer | null)[][],
    g: readonly number[],
    lr: number,
  ): void {
    const n = seeds.length;
    const chunk = this.options.chunkSize ?? 65536;
    for (let tensor = 0; tensor < this.params.length; tensor++) {
      const p = this.params[tensor]!;
      const dirs: UpdateDirection[] = seeds.map((seed, j) => ({
        seed,
        coefficient: g[j]! / n,
        quantizer: quantizers[j]![tensor]!,
      }));
      const wd = this.weightDecay[tensor]!;
      for (let start = 0; start < p.length; start += chunk) {
        this.kernels.update(
          p.subarray(start, Math.min(p.length, start + chunk)),
          start,
          tensor,
          dirs,
          lr,
          wd,
        );
      }
    }
  }

  /**
   * Re-applies logged updates to parameters holding the values before `records[0]` (e.g. the
   * initial weights): no loss is evaluated. Used by `replay` and to verify a run.
   */
  applyRecords(records: readonly QuZOStepRecord[]): void {
    for (const r of records) {
      if (r.projectedGradients.length !== this.options.directions) {
        throw new QuZOError(
          `record of step ${r.step} has ${r.projectedGradients.length} gradients; this optimizer uses ${this.options.directions} directions`,
        );
      }
      const seeds = r.projectedGradients.map((_, j) => directionSeed(this.options.seed, r.step, j));
      this.applyUpdate(
        seeds,
        seeds.map((s) => this.quantizers(s)),
        r.projectedGradients,
        r.lr,
      );
    }
  }

  /** A small JSON-safe snapshot: seed, step counter, schedules, settings and the replay log. */
  state(): QuZOState {
    return {
      version: 1,
      seed: this.options.seed,
      step: this.stepCount,
      lr: this.options.lr,
      eps: this.options.eps,
      perturbBits: this.options.perturbBits,
      gradBits: this.options.gradBits,
      directions: this.options.directions,
      weightDecay: [...this.weightDecay],
      tensorLengths: this.params.map((p) => p.length),
      log: this.log.map((r) => ({ ...r, projectedGradients: [...r.projectedGradients] })),
    };
  }

  /**
   * Resumes a run: `params` must hold the parameters as they were when `state()` was taken.
   * The next step continues the same random sequence as if the run had never stopped.
   */
  static restore(
    state: QuZOState,
    params: Float32Array[],
    options: Pick<QuZOOptions, 'kernels' | 'chunkSize' | 'keepLog'> = {},
  ): QuZOOptimizer {
    const opt = QuZOOptimizer.fromState(state, params, options);
    opt.stepCount = state.step;
    opt.log.push(...state.log.map((r) => ({ ...r, projectedGradients: [...r.projectedGradients] })));
    return opt;
  }

  /**
   * Rebuilds trained parameters from the initial ones and a state's log (no loss evaluations).
   * `initialParams` are modified in place and returned; the result equals the trained
   * parameters bit for bit when the same kernels semantics are used (all backends agree).
   */
  static replay(state: QuZOState, initialParams: Float32Array[], options: Pick<QuZOOptions, 'kernels'> = {}) {
    const opt = QuZOOptimizer.fromState(state, initialParams, { ...options, keepLog: false });
    opt.applyRecords(state.log);
    opt.stepCount = state.step;
    return initialParams;
  }

  private static fromState(
    state: QuZOState,
    params: Float32Array[],
    options: Pick<QuZOOptions, 'kernels' | 'chunkSize' | 'keepLog'>,
  ): QuZOOptimizer {
    if (state?.version !== 1) {
      throw new QuZOError(`unsupported QuZO state version ${String(state?.version)}; expected 1`);
    }
    if (
      params.length !== state.tensorLengths.length ||
      params.some((p, t) => p.length !== state.tensorLengths[t])
    ) {
      throw new QuZOError(
        `params do not match the saved state: expected tensor lengths [${state.tensorLengths.join(', ')}], got [${params.map((p) => p.length).join(', ')}]`,
      );
    }
    return new QuZOOptimizer({
      params,
      lr: parseSchedule(state.lr, 'state.lr'),
      eps: parseSchedule(state.eps, 'state.eps'),
      perturbBits: state.perturbBits,
      gradBits: state.gradBits,
      directions: state.directions,
      seed: state.seed,
      weightDecay: state.weightDecay,
      ...options,
    });
  }
}
