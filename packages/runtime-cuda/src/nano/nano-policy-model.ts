/**
 * chimera-nano, the embedded policy model: it reads a context (goal, active self, compact
 * observation, short history) and scores candidate actions, with a value head for TD errors.
 * Frozen seeded base + adapters fed as inputs: one ONNX session serves every self and every
 * perturbed copy an optimizer scores.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { dequantizeMatMulNBits } from '../onnx/matmul-nbits';
import {
  createSession,
  type ExecutionProvider,
  type ModelSession,
  type SessionFeeds,
} from '../sessions/model-session';
import {
  checkBaseWeights,
  createBaseWeights,
  NANO_BASE_PROJECTIONS,
  type NanoBaseWeights,
} from './base-weights';
import { NanoFeaturizer, type NanoGroup, type PreparedBatch } from './featurizer';
import { initializeLora, type LoraTensorSpec, LoraWeights } from './lora-weights';
import { type NanoConfig, resolveNanoConfig } from './nano-config';
import { NanoModelError } from './nano-error';
import {
  buildNanoGraph,
  NANO_INPUTS,
  NANO_OUTPUTS,
  type NanoQuantizedBase,
  nanoLoraSpec,
  quantizedParts,
} from './nano-graph';
import { type ReferenceProjections, referenceForward } from './nano-reference';

export const DEFAULT_NANO_SEED = 0x5eed;

export interface NanoPolicyModelOptions {
  config?: Partial<NanoConfig>;
  /** Seed of the frozen base weights. Default DEFAULT_NANO_SEED. */
  seed?: number;
  /** Default `cpu`: at this size the model is faster on CPU than a GPU round trip. */
  executionProvider?: ExecutionProvider;
  /** Frozen weights to use instead of the seeded ones (same shapes), e.g. loaded from a file. */
  baseWeights?: NanoBaseWeights;
  /**
   * 4-bit replacements of base projections (`mlp1`, `mlp2`, `out`), emitted as MatMulNBits nodes.
   * The reference forward then uses the dequantized weights, so agreement still holds.
   */
  quantizedBase?: NanoQuantizedBase;
  logger?: (message: string) => void;
  /** Passed to onnxruntime; default one intra-op thread (these matmuls are too small to split). */
  sessionOptions?: InferenceSession.SessionOptions;
}

export interface NanoScores {
  /** One logit per candidate, per group (views into one buffer). */
  logits: Float32Array[];
  /** One value estimate per group. */
  values: Float32Array;
}

export class NanoPolicyModel {
  private constructor(
    readonly config: NanoConfig,
    readonly seed: number,
    private readonly base: NanoBaseWeights,
    private readonly projections: ReferenceProjections,
    private readonly featurizer: NanoFeaturizer,
    private readonly session: ModelSession,
    private readonly bytes: Uint8Array,
  ) {}

  static async create(options: NanoPolicyModelOptions = {}): Promise<NanoPolicyModel> {
    const config = resolveNanoConfig(options.config);
    const seed = options.seed ?? DEFAULT_NANO_SEED;
    if (!Number.isInteger(seed)) throw new NanoModelError(`seed must be an integer, got ${seed}`);
    const base = options.baseWeights ?? createBaseWeights(config, seed);
    checkBaseWeights(base, config);
    const quantized = options.quantizedBase ?? {};
    for (const name of Object.keys(quantized)) {
      if (!NANO_BASE_PROJECTIONS.includes(name as never)) {
        throw new NanoModelError(
          `quantizedBase.${name} is not a base projection (${NANO_BASE_PROJECTIONS.join(', ')})`,
        );
      }
    }
    const projections = {} as ReferenceProjections;
    for (const p of NANO_BASE_PROJECTIONS) {
      const q = quantized[p];
      if (!q) {
        projections[p] = base[p].data;
        continue;
      }
      const sum = new Float32Array(config.dim * config.dim);
      for (const part of quantizedParts(q)) {
        const w = dequantizeMatMulNBits(part);
        if (w.length !== sum.length) {
          throw new NanoModelError(
            `quantized ${p} must be ${config.dim} x ${config.dim}, got k=${part.k}, n=${part.n}`,
          );
        }
        for (let i = 0; i < sum.length; i++) sum[i]! += w[i]!;
      }
      projections[p] = sum;
    }
    const bytes = buildNanoGraph(config, base, quantized);
    const session = await createSession(bytes, {
      executionProvider: options.executionProvider ?? 'cpu',
      ...(options.logger ? { logger: options.logger } : {}),
      sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, ...options.sessionOptions },
    });
    return new NanoPolicyModel(
      config,
      seed,
      base,
      projections,
      new NanoFeaturizer(config, base),
      session,
      bytes,
    );
  }

  get providerUsed(): 'cpu' | 'cuda' {
    return this.session.providerUsed;
  }

  get fallbackReason(): string | undefined {
    return this.session.fallbackReason;
  }

  /** Names and shapes of the adapter tensors (LoRA factors, value head, lexical weights). */
  loraSpec(): LoraTensorSpec[] {
    return nanoLoraSpec(this.config);
  }

  /** A fresh adapter: A factors random from `seed`, B factors, value head and lexical deltas zero (no change yet). */
  createLora(seed = 1): LoraWeights {
    return initializeLora(new LoraWeights(this.loraSpec()), seed);
  }

  /** Wraps existing arrays (e.g. read from safetensors) as an adapter; shapes are checked. */
  loraFrom(tensors: Record<string, Float32Array>): LoraWeights {
    return new LoraWeights(this.loraSpec(), tensors);
  }

  /** The frozen weights, named (`embedding.weight`, `mlp1.weight`, `mlp2.weight`, `out.weight`). */
  baseWeights(): NanoBaseWeights {
    return this.base;
  }

  /** The ONNX model bytes this session runs (e.g. to save or inspect). */
  modelBytes(): Uint8Array {
    return this.bytes;
  }

  /** Featurizes a batch (cached per text). Score a prepared batch many times to skip this work. */
  prepare(batch: readonly NanoGroup[]): PreparedBatch {
    return this.featurizer.prepare(batch);
  }

  /** Scores every candidate of every group with the ONNX session. */
  async score(batch: readonly NanoGroup[] | PreparedBatch, lora: LoraWeights): Promise<NanoScores> {
    const prepared = isPrepared(batch) ? batch : this.prepare(batch);
    const out = await this.session.run(this.feeds(prepared, lora));
    return split(
      prepared,
      out[NANO_OUTPUTS.logits]!.data as Float32Array,
      out[NANO_OUTPUTS.values]!.data as Float32Array,
    );
  }

  /** The same scores from the plain TypeScript forward (float64 accumulation): the agreement reference. */
  referenceScore(batch: readonly NanoGroup[] | PreparedBatch, lora: LoraWeights): NanoScores {
    const prepared = isPrepared(batch) ? batch : this.prepare(batch);
    this.checkLora(lora);
    const { logits, values } = referenceForward(this.config, this.projections, prepared, lora);
    return split(prepared, logits, values);
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private checkLora(lora: LoraWeights): void {
    if (!(lora instanceof LoraWeights))
      throw new NanoModelError('lora must be a LoraWeights (model.createLora())');
    const d = this.config.dim;
    for (const { name, shape } of this.loraSpec()) {
      const given = lora.shapeOf(name);
      // Ranks may differ from the config (the graph's ranks are symbolic); every other size must match.
      const ok = name.endsWith('.lora_a')
        ? given[0] === d && given.length === 2
        : name.endsWith('.lora_b')
          ? given[1] === d && given.length === 2
          : given.length === shape.length && given.every((v, i) => v === shape[i]);
      if (!ok)
        throw new NanoModelError(`adapter tensor ${name} has shape [${given}], this model needs [${shape}]`);
    }
  }

  private feeds(prepared: PreparedBatch, lora: LoraWeights): SessionFeeds {
    this.checkLora(lora);
    const d = this.config.dim;
    const feeds: SessionFeeds = {
      [NANO_INPUTS.contextX]: { type: 'float32', dims: [prepared.groups, d], data: prepared.contextX },
      [NANO_INPUTS.candidateX]: {
        type: 'float32',
        dims: [prepared.candidates, d],
        data: prepared.candidateX,
      },
      [NANO_INPUTS.candidateGroup]: {
        type: 'int64',
        dims: [prepared.candidates],
        data: prepared.candidateGroup,
      },
      [NANO_INPUTS.lexical]: {
        type: 'float32',
        dims: [prepared.candidates, this.config.lexicalBase.length],
        data: prepared.lexical,
      },
    };
    for (const name of lora.names())
      feeds[name] = { type: 'float32', dims: lora.shapeOf(name), data: lora.get(name) };
    return feeds;
  }
}

function isPrepared(batch: readonly NanoGroup[] | PreparedBatch): batch is PreparedBatch {
  return !Array.isArray(batch) && typeof batch === 'object' && batch !== null && 'candidateX' in batch;
}

function split(prepared: PreparedBatch, logits: Float32Array, values: Float32Array): NanoScores {
  const out: Float32Array[] = [];
  let offset = 0;
  for (const n of prepared.counts) {
    out.push(logits.subarray(offset, offset + n));
    offset += n;
  }
  return { logits: out, values };
}
