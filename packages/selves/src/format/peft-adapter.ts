/**
 * A LoRA adapter in Hugging Face PEFT's layout, in memory. Factors keep PEFT's orientation
 * (`lora_A` [r, in], `lora_B` [out, r]; delta W = scaling * B A, [out, in]), module names keep
 * PEFT's (without the `base_model.model.` prefix), and tensors that are trained in full
 * (`modules_to_save`) sit beside them. Reading and writing the directory is in peft-directory.ts.
 */
import { AdapterFormatError } from '../errors/adapter-format-error';
import { exactPatternKey, moduleScaling, type PeftLoraConfig, parsePeftConfig } from './peft-config';

export type AdapterDtype = 'F32' | 'F16' | 'BF16';

export interface LoraModule {
  rank: number;
  inFeatures: number;
  outFeatures: number;
  /** lora_A, [rank, inFeatures] row-major. */
  a: Float32Array;
  /** lora_B, [outFeatures, rank] row-major. */
  b: Float32Array;
  alpha: number;
  /** alpha / rank (alpha / sqrt(rank) with rsLoRA): delta W = scaling * B A. */
  scaling: number;
}

/** A tensor trained in full (PEFT `modules_to_save`), e.g. a value head. */
export interface SavedTensor {
  shape: number[];
  data: Float32Array;
}

export interface PeftAdapter {
  config: PeftLoraConfig;
  /** Module name (e.g. `model.layers.0.self_attn.q_proj`) -> its factors. */
  modules: Map<string, LoraModule>;
  /** Full tensor name without the prefix (e.g. `score.weight`) -> tensor. */
  saved: Map<string, SavedTensor>;
  /** Element type of the file (read and written back in it). */
  dtype: AdapterDtype;
}

/** The prefix PEFT gives every key of a saved adapter. */
export const PEFT_PREFIX = 'base_model.model.';

export interface AdapterModuleInput {
  /** [rank, in] */
  a: Float32Array;
  /** [out, rank] */
  b: Float32Array;
  rank: number;
  inFeatures: number;
  outFeatures: number;
  /** Default: rank (scaling 1). */
  alpha?: number;
}

/**
 * Builds an adapter (and its config) from factors: `r` / `lora_alpha` are the most common rank and
 * alpha, and modules that differ get exact `rank_pattern` / `alpha_pattern` entries.
 */
export function createPeftAdapter(options: {
  baseModel: string | null;
  modules: Record<string, AdapterModuleInput> | Map<string, AdapterModuleInput>;
  saved?: Record<string, SavedTensor> | Map<string, SavedTensor>;
  dtype?: AdapterDtype;
  useRslora?: boolean;
  /** Extra config keys kept as they are (e.g. `task_type`). */
  extraConfig?: Record<string, unknown>;
}): PeftAdapter {
  const entries = options.modules instanceof Map ? [...options.modules] : Object.entries(options.modules);
  if (entries.length === 0)
    throw new AdapterFormatError('invalid-config', 'an adapter needs at least one LoRA module');
  const savedEntries =
    options.saved instanceof Map ? [...options.saved] : Object.entries(options.saved ?? {});
  const mostCommon = (values: number[]) => {
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0];
  };
  const ranks = entries.map(([, m]) => m.rank);
  const alphas = entries.map(([, m]) => m.alpha ?? m.rank);
  const r = mostCommon(ranks);
  const alpha = mostCommon(alphas);
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  entries.forEach(([name, m], i) => {
    if (m.rank !== r) rankPattern[exactPatternKey(name)] = m.rank;
    if (alphas[i] !== alpha) alphaPattern[exactPatternKey(name)] = alphas[i]!;
  });
  const savedModules = [
    ...new Set(savedEntries.map(([name]) => name.split('.').slice(0, -1).join('.'))),
  ].sort();
  const config = parsePeftConfig({
    ...options.extraConfig,
    peft_type: 'LORA',
    base_model_name_or_path: options.baseModel,
    r,
    lora_alpha: alpha,
    lora_dropout: 0,
    target_modules: [...new Set(entries.map(([name]) => name))].sort(),
    bias: 'none',
    fan_in_fan_out: false,
    use_rslora: options.useRslora ?? false,
    use_dora: false,
    modules_to_save: savedModules.length ? savedModules : null,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
    inference_mode: true,
  });
  const modules = new Map<string, LoraModule>();
  for (const [name, m] of entries) {
    checkModuleShapes(name, m);
    const { alpha: moduleAlpha, scaling } = moduleScaling(config, name);
    modules.set(name, { ...m, alpha: moduleAlpha, scaling });
  }
  const saved = new Map<string, SavedTensor>();
  for (const [name, t] of savedEntries) {
    const numel = t.shape.reduce((x, y) => x * y, 1);
    if (numel !== t.data.length) {
      throw new AdapterFormatError(
        'wrong-shape',
        `saved tensor "${name}" has shape [${t.shape}] (${numel} values) but ${t.data.length} values`,
      );
    }
    saved.set(name, t);
  }
  return { config, modules, saved, dtype: options.dtype ?? 'F32' };
}

function checkModuleShapes(name: string, m: AdapterModuleInput): void {
  if (m.a.length !== m.rank * m.inFeatures) {
    throw new AdapterFormatError(
      'wrong-shape',
      `module "${name}": lora_A must be [${m.rank}, ${m.inFeatures}] (${m.rank * m.inFeatures} values), got ${m.a.length}`,
    );
  }
  if (m.b.length !== m.outFeatures * m.rank) {
    throw new AdapterFormatError(
      'wrong-shape',
      `module "${name}": lora_B must be [${m.outFeatures}, ${m.rank}] (${m.outFeatures * m.rank} values), got ${m.b.length}`,
    );
  }
}

/** Bytes of the adapter's tensors as float32 in memory (what the RAM cache counts). */
export function adapterBytes(adapter: PeftAdapter): number {
  let n = 0;
  for (const m of adapter.modules.values()) n += m.a.byteLength + m.b.byteLength;
  for (const t of adapter.saved.values()) n += t.data.byteLength;
  return n;
}

/** Dense delta W of one module, [out, in] row-major, float64: scaling * B A. */
export function deltaWeight(module: LoraModule): Float64Array {
  const { rank, inFeatures: n, outFeatures: m, a, b, scaling } = module;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = out.subarray(i * n, (i + 1) * n);
    for (let k = 0; k < rank; k++) {
      const bik = b[i * rank + k]! * scaling;
      if (bik === 0) continue;
      const aRow = k * n;
      for (let j = 0; j < n; j++) row[j]! += bik * a[aRow + j]!;
    }
  }
  return out;
}

/** A deep copy (fresh arrays). */
export function clonePeftAdapter(adapter: PeftAdapter): PeftAdapter {
  const modules = new Map<string, LoraModule>();
  for (const [k, m] of adapter.modules) modules.set(k, { ...m, a: m.a.slice(), b: m.b.slice() });
  const saved = new Map<string, SavedTensor>();
  for (const [k, t] of adapter.saved) saved.set(k, { shape: [...t.shape], data: t.data.slice() });
  return { config: structuredClone(adapter.config), modules, saved, dtype: adapter.dtype };
}
