/**
 * chimera-nano's adapter (`LoraWeights`) <-> PEFT layout.
 *
 * chimera-nano computes a row-vector layer `y = x W + (x a) b` with `<p>.lora_a` [dim, r] and
 * `<p>.lora_b` [r, dim]. PEFT's linear layer is `y = x W^T + scaling (x A^T) B^T` with `lora_A`
 * [r, in] and `lora_B` [out, r]. So `A = a^T`, `B = b^T`, and adapters written here have
 * `lora_alpha = r` (scaling 1). Reading an adapter with another scaling folds alpha / r into b, so
 * the model computes exactly scaling * B A. The value head and lexical weights are trained in full:
 * they are written as PEFT `modules_to_save` tensors `base_model.model.value.weight`,
 * `base_model.model.value.bias` and `base_model.model.lexical.weight` (config
 * `modules_to_save: ["lexical", "value"]`), so nothing of the adapter is lost on the way.
 */
import { createHash } from 'node:crypto';
import { type LoraTensorSpec, LoraWeights, type NanoPolicyModel } from '@chimera/runtime-cuda';
import { AdapterFormatError } from '../errors/adapter-format-error';
import {
  type AdapterModuleInput,
  createPeftAdapter,
  type PeftAdapter,
  type SavedTensor,
} from './peft-adapter';
import type { AdapterExpectation } from './peft-directory';

const FACTOR = /^(.*)\.lora_([ab])$/;

/** Transposes a row-major [rows, cols] matrix. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

const baseIds = new WeakMap<NanoPolicyModel, string>();

/**
 * The `base_model_name_or_path` of chimera-nano adapters: size, seed and a hash of the frozen weights
 * and of the config parts the forward pass reads, so an adapter never loads onto another base.
 */
export function nanoBaseModelId(model: NanoPolicyModel): string {
  const cached = baseIds.get(model);
  if (cached) return cached;
  const hash = createHash('sha256');
  const base = model.baseWeights();
  for (const m of [base.embedding, base.mlp1, base.mlp2, base.out]) {
    hash.update(`${m.name}[${m.rows},${m.cols}]`);
    hash.update(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  }
  const c = model.config;
  hash.update(
    JSON.stringify({
      logitScale: c.logitScale,
      lexicalBase: c.lexicalBase,
      lexicalGain: c.lexicalGain,
      sectionWeights: c.sectionWeights,
    }),
  );
  const id = `chimera-nano/d${c.dim}-b${c.buckets}-s${model.seed}-${hash.digest('hex').slice(0, 12)}`;
  baseIds.set(model, id);
  return id;
}

/** The PEFT form of a chimera-nano adapter (copies; the LoraWeights is not shared). */
export function nanoToPeft(weights: LoraWeights, baseModel: string): PeftAdapter {
  const modules = new Map<string, AdapterModuleInput>();
  const saved = new Map<string, SavedTensor>();
  for (const { name, shape } of weights.spec) {
    const factor = FACTOR.exec(name);
    if (!factor) {
      saved.set(name, { shape: [...shape], data: weights.get(name).slice() });
      continue;
    }
    if (factor[2] === 'b') continue;
    const projection = factor[1]!;
    const [inFeatures, rank] = weights.shapeOf(`${projection}.lora_a`) as [number, number];
    const [rankB, outFeatures] = weights.shapeOf(`${projection}.lora_b`) as [number, number];
    if (rankB !== rank) {
      throw new AdapterFormatError(
        'wrong-shape',
        `${projection}: lora_a rank ${rank} but lora_b rank ${rankB}`,
      );
    }
    modules.set(projection, {
      rank,
      inFeatures,
      outFeatures,
      a: transpose(weights.get(`${projection}.lora_a`), inFeatures, rank),
      b: transpose(weights.get(`${projection}.lora_b`), rank, outFeatures),
      alpha: rank,
    });
  }
  return createPeftAdapter({ baseModel, modules, saved });
}

/**
 * A chimera-nano adapter from the PEFT form: factors transposed, alpha / r folded into b. Ranks may
 * differ from the model's config (a concatenated composition has a larger rank: the graph's ranks
 * are symbolic); every other size must match.
 */
export function peftToNano(adapter: PeftAdapter, model: NanoPolicyModel): LoraWeights {
  const spec: LoraTensorSpec[] = [];
  const data: Record<string, Float32Array> = {};
  for (const { name, shape } of model.loraSpec()) {
    const factor = FACTOR.exec(name);
    if (!factor) {
      const t = adapter.saved.get(name);
      if (!t)
        throw new AdapterFormatError('missing-tensor', `adapter has no saved tensor "${name}" [${shape}]`);
      spec.push({ name, shape: [...shape] });
      data[name] = t.data.slice();
      continue;
    }
    const projection = factor[1]!;
    const m = adapter.modules.get(projection);
    if (!m) throw new AdapterFormatError('missing-tensor', `adapter has no LoRA module "${projection}"`);
    if (factor[2] === 'a') {
      spec.push({ name, shape: [m.inFeatures, m.rank] });
      data[name] = transpose(m.a, m.rank, m.inFeatures);
    } else {
      spec.push({ name, shape: [m.rank, m.outFeatures] });
      const b = transpose(m.b, m.outFeatures, m.rank);
      if (m.scaling !== 1) for (let i = 0; i < b.length; i++) b[i]! *= m.scaling;
      data[name] = b;
    }
  }
  return new LoraWeights(spec, data);
}

/** What a chimera-nano runtime requires of an adapter directory (base model, modules, saved tensors). */
export function nanoExpectation(model: NanoPolicyModel): AdapterExpectation {
  const modules: NonNullable<AdapterExpectation['modules']> = {};
  const saved: Record<string, number[]> = {};
  for (const { name, shape } of model.loraSpec()) {
    const factor = FACTOR.exec(name);
    if (!factor) saved[name] = [...shape];
    else modules[factor[1]!] = { inFeatures: model.config.dim, outFeatures: model.config.dim };
  }
  return { baseModel: nanoBaseModelId(model), modules, saved, exact: true };
}

/** Bytes of a LoraWeights' tensors. */
export function loraBytes(weights: LoraWeights): number {
  return weights.parameterCount * 4;
}
