/**
 * Combining adapters into a new one, with the method names and output conventions of PEFT's
 * `add_weighted_adapter` (result: r = lora_alpha = new rank, so scaling 1). Let s_i = alpha_i / r_i
 * and dW_i = s_i B_i A_i.
 *
 * - `cat`: A = stack_rows(w_i s_i A_i), B = stack_cols(B_i); rank sum(r_i). Exactly sum w_i dW_i.
 * - `svd`: sum w_i dW_i, truncated to `svdRank` (default max r_i) by SVD: B = U_k S_k, A = V_k^T.
 *   Exact when svdRank >= sum(r_i). Computed from the stacked factors (QR, then a small SVD).
 * - `ties_svd`, `dare_linear_svd`, `dare_ties_svd`, `magnitude_prune_svd`: the operator applied to
 *   the dense dW_i, then the truncated SVD.
 * - `linear`, `ties`, `dare_linear`, `dare_ties`, `magnitude_prune`: PEFT's A/B-separate merge.
 *   The operator is applied to the A_i with weights sign(w_i s_i) sqrt|w_i s_i| and to the B_i
 *   with sqrt|w_i s_i|; ranks must be equal. The product picks up cross terms B_i A_j, so the
 *   result is NOT sum w_i dW_i (e.g. `linear` of two adapters is (sum c_i B_i)(sum c_i A_i)).
 *   Use `svd` / `cat` for a true weighted sum of updates.
 *
 * Where this differs from PEFT (read at huggingface/peft `tuners/lora/model.py`): its `*_svd`
 * types weight each `get_delta_weight` (which already includes alpha/r) by w_i alpha_i / r_i
 * again, so adapters with alpha != r are scaled twice; here each dW_i is weighted by w_i
 * (`peftSvdScaling: true` reproduces theirs). PEFT does not combine `modules_to_save`; here those
 * tensors are the weighted sum sum w_i t_i (or the first adapter's, with `savedTensors: 'first'`).
 */
import { CompositionError } from '../errors/composition-error';
import {
  type AdapterModuleInput,
  createPeftAdapter,
  type LoraModule,
  type PeftAdapter,
  type SavedTensor,
} from '../format/peft-adapter';
import { SeededRandom } from '../mcc/seeded-random';
import { type Matrix, productSvd, type Svd, svd } from './linear-algebra';
import { type MajoritySign, type MergeOperator, mergeTensors } from './merge-ops';

export const COMPOSITION_METHODS = [
  'cat',
  'svd',
  'linear',
  'ties',
  'ties_svd',
  'dare_linear',
  'dare_linear_svd',
  'dare_ties',
  'dare_ties_svd',
  'magnitude_prune',
  'magnitude_prune_svd',
] as const;

export type CompositionMethod = (typeof COMPOSITION_METHODS)[number];

export interface ComposeOptions {
  method: CompositionMethod;
  /** One weight per adapter (negative allowed). */
  weights: readonly number[];
  /** Rank of SVD results (default: the largest input rank). */
  svdRank?: number;
  /** Clamp SVD factors to [-q, q], q = this quantile of their values (PEFT `svd_clamp`). */
  svdClamp?: number;
  /** Share of entries kept by ties / dare / magnitude_prune, in [0, 1]. */
  density?: number;
  majoritySign?: MajoritySign;
  /** Seed of DARE's masks. Default 0. */
  seed?: number;
  /** Reproduce PEFT's double alpha/r scaling in the *_svd types (see above). Default false. */
  peftSvdScaling?: boolean;
  /** `weighted` (default): sum w_i t_i of modules_to_save tensors; `first`: the first adapter's. */
  savedTensors?: 'weighted' | 'first';
}

export function composeAdapters(adapters: readonly PeftAdapter[], options: ComposeOptions): PeftAdapter {
  const { method, weights } = options;
  if (!COMPOSITION_METHODS.includes(method)) {
    throw new CompositionError(
      `unknown composition method "${method}"; use one of ${COMPOSITION_METHODS.join(', ')}`,
    );
  }
  if (adapters.length === 0) throw new CompositionError('compose needs at least one adapter');
  if (weights.length !== adapters.length || weights.some((w) => !Number.isFinite(w))) {
    throw new CompositionError(
      `compose needs one finite weight per adapter (${adapters.length}), got [${weights.join(', ')}]`,
    );
  }
  const base = adapters[0]!.config.base_model_name_or_path ?? null;
  for (const a of adapters) {
    if ((a.config.base_model_name_or_path ?? null) !== base) {
      throw new CompositionError(
        `adapters of different base models cannot be combined ("${base}" and "${a.config.base_model_name_or_path}")`,
      );
    }
  }
  if (options.svdRank !== undefined && !(Number.isInteger(options.svdRank) && options.svdRank >= 1)) {
    throw new CompositionError(`svdRank must be an integer >= 1, got ${options.svdRank}`);
  }
  const random = new SeededRandom(options.seed ?? 0);
  const names = [...new Set(adapters.flatMap((a) => [...a.modules.keys()]))];
  const modules = new Map<string, AdapterModuleInput>();
  for (const name of names) {
    // As PEFT: an adapter without this module simply does not contribute to it.
    const parts = adapters.flatMap((a, i) => {
      const m = a.modules.get(name);
      return m ? [{ m, w: weights[i]! }] : [];
    });
    const first = parts[0]!.m;
    for (const { m } of parts) {
      if (m.inFeatures !== first.inFeatures || m.outFeatures !== first.outFeatures) {
        throw new CompositionError(
          `module "${name}" is ${first.outFeatures}x${first.inFeatures} in one adapter and ${m.outFeatures}x${m.inFeatures} in another`,
        );
      }
    }
    modules.set(name, composeModule(name, parts, options, random));
  }
  return createPeftAdapter({
    baseModel: base,
    modules,
    saved: composeSaved(adapters, options),
    dtype: adapters[0]!.dtype,
  });
}

function composeModule(
  name: string,
  parts: { m: LoraModule; w: number }[],
  options: ComposeOptions,
  random: SeededRandom,
): AdapterModuleInput {
  const { method } = options;
  const { inFeatures: n, outFeatures: m } = parts[0]!.m;
  if (method === 'cat') {
    const rank = parts.reduce((s, p) => s + p.m.rank, 0);
    const a = new Float32Array(rank * n);
    const b = new Float32Array(m * rank);
    let offset = 0;
    for (const { m: mod, w } of parts) {
      const c = w * mod.scaling;
      for (let k = 0; k < mod.rank; k++) {
        for (let j = 0; j < n; j++) a[(offset + k) * n + j] = c * mod.a[k * n + j]!;
        for (let i = 0; i < m; i++) b[i * rank + offset + k] = mod.b[i * mod.rank + k]!;
      }
      offset += mod.rank;
    }
    return { a, b, rank, inFeatures: n, outFeatures: m, alpha: rank };
  }
  if (method.endsWith('_svd') || method === 'svd') {
    const rank = options.svdRank ?? Math.max(...parts.map((p) => p.m.rank));
    const factor = (p: { m: LoraModule; w: number }) =>
      p.w * p.m.scaling * (options.peftSvdScaling ? p.m.scaling : 1);
    let decomposition: Svd;
    if (method === 'svd') {
      decomposition = productSvd(...stacked(parts, factor));
    } else {
      const operator = method.slice(0, -'_svd'.length) as MergeOperator;
      const deltas = parts.map((p) => denseProduct(p.m));
      const merged = mergeTensors(
        operator,
        deltas,
        parts.map((p) => factor(p) / p.m.scaling),
        { ...mergeOptions(options), random },
      );
      decomposition = svd({ rows: m, cols: n, data: merged });
    }
    return fromSvd(decomposition, rank, m, n, options.svdClamp);
  }
  const ranks = new Set(parts.map((p) => p.m.rank));
  if (ranks.size !== 1) {
    throw new CompositionError(
      `${method} merges A and B separately and needs equal ranks; module "${name}" has ranks ${[...ranks].join(', ')} (use svd or cat)`,
    );
  }
  const rank = parts[0]!.m.rank;
  const c = parts.map((p) => p.w * p.m.scaling);
  const toF64 = (x: Float32Array) => Float64Array.from(x);
  const operator = method as MergeOperator;
  const a = mergeTensors(
    operator,
    parts.map((p) => toF64(p.m.a)),
    c.map((v) => Math.sign(v) * Math.sqrt(Math.abs(v))),
    { ...mergeOptions(options), random },
  );
  const b = mergeTensors(
    operator,
    parts.map((p) => toF64(p.m.b)),
    c.map((v) => Math.sqrt(Math.abs(v))),
    { ...mergeOptions(options), random },
  );
  return {
    a: Float32Array.from(a),
    b: Float32Array.from(b),
    rank,
    inFeatures: n,
    outFeatures: m,
    alpha: rank,
  };
}

function mergeOptions(options: ComposeOptions): { density?: number; majoritySign?: MajoritySign } {
  return {
    ...(options.density !== undefined ? { density: options.density } : {}),
    ...(options.majoritySign ? { majoritySign: options.majoritySign } : {}),
  };
}

/** B_cat [m, R] and A_cat [R, n] with each A_i scaled by factor(p): B_cat A_cat = sum factor_i B_i A_i. */
function stacked(
  parts: { m: LoraModule; w: number }[],
  factor: (p: { m: LoraModule; w: number }) => number,
): [Matrix, Matrix] {
  const { inFeatures: n, outFeatures: m } = parts[0]!.m;
  const total = parts.reduce((s, p) => s + p.m.rank, 0);
  const a = new Float64Array(total * n);
  const b = new Float64Array(m * total);
  let offset = 0;
  for (const p of parts) {
    const c = factor(p);
    const r = p.m.rank;
    for (let k = 0; k < r; k++) {
      for (let j = 0; j < n; j++) a[(offset + k) * n + j] = c * p.m.a[k * n + j]!;
      for (let i = 0; i < m; i++) b[i * total + offset + k] = p.m.b[i * r + k]!;
    }
    offset += r;
  }
  return [
    { rows: m, cols: total, data: b },
    { rows: total, cols: n, data: a },
  ];
}

/** scaling * B A, [out, in], float64. */
function denseProduct(mod: LoraModule): Float64Array {
  const { rank, inFeatures: n, outFeatures: m } = mod;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < rank; k++) {
      const v = mod.b[i * rank + k]! * mod.scaling;
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += v * mod.a[k * n + j]!;
    }
  }
  return out;
}

/** PEFT's svd output: B = U_k S_k [m, k], A = V_k^T [k, n] (zero-padded when fewer singular values exist). */
function fromSvd(d: Svd, rank: number, m: number, n: number, clamp: number | undefined): AdapterModuleInput {
  const p = d.s.length;
  const b = new Float32Array(m * rank);
  const a = new Float32Array(rank * n);
  for (let k = 0; k < Math.min(rank, p); k++) {
    for (let i = 0; i < m; i++) b[i * rank + k] = d.u.data[i * d.u.cols + k]! * d.s[k]!;
    for (let j = 0; j < n; j++) a[k * n + j] = d.v.data[j * d.v.cols + k]!;
  }
  if (clamp !== undefined) {
    if (!(clamp > 0 && clamp <= 1))
      throw new CompositionError(`svdClamp must be a quantile in (0, 1], got ${clamp}`);
    const high = quantile(Float64Array.from([...b, ...a]), clamp);
    for (const t of [a, b]) for (let i = 0; i < t.length; i++) t[i] = Math.min(high, Math.max(-high, t[i]!));
  }
  return { a, b, rank, inFeatures: n, outFeatures: m, alpha: rank };
}

/** torch.quantile's default (linear interpolation). */
function quantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function composeSaved(adapters: readonly PeftAdapter[], options: ComposeOptions): Map<string, SavedTensor> {
  const out = new Map<string, SavedTensor>();
  const names = [...new Set(adapters.flatMap((a) => [...a.saved.keys()]))];
  for (const name of names) {
    const holders = adapters.flatMap((a, i) => {
      const t = a.saved.get(name);
      return t ? [{ t, w: options.weights[i]! }] : [];
    });
    const first = holders[0]!.t;
    if (options.savedTensors === 'first') {
      out.set(name, { shape: [...first.shape], data: first.data.slice() });
      continue;
    }
    const data = new Float32Array(first.data.length);
    for (const { t, w } of holders) {
      if (t.data.length !== data.length) {
        throw new CompositionError(
          `saved tensor "${name}" has different sizes in the adapters (${first.shape} vs ${t.shape})`,
        );
      }
      for (let i = 0; i < data.length; i++) data[i]! += w * t.data[i]!;
    }
    out.set(name, { shape: [...first.shape], data });
  }
  return out;
}
