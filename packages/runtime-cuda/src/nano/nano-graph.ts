/**
 * chimera-nano as an ONNX graph. Context and candidate embeddings go through the same two tanh
 * layers, then the shared output projection; the context side adds the `query` LoRA and the
 * candidate side the `key` LoRA, so the adapters learn an asymmetric bilinear association
 * (context token -> candidate token) that plain word overlap cannot express.
 *
 *   h      = tanh(tanh(x W1 + x A1 B1) W2 + ... A2 B2)          x: contexts and candidates stacked
 *   q      = h_ctx Wout + h_ctx Aq Bq,  k = h_cand Wout + h_cand Ak Bk
 *   logit  = scale * <q[group] / |q|, k / |k|> + lexical . (lexicalBase + lexicalGain * lexical.weight)
 *   value  = (q / |q|) . value.weight + value.bias
 *
 * LoRA factors, the value head and the lexical weights are graph inputs (ranks are symbolic).
 */
import { OnnxGraphBuilder } from '../onnx/graph-builder';
import { addMatMulNBits, type MatMulNBitsWeights, packMatMulNBits } from '../onnx/matmul-nbits';
import type { NanoBaseProjection, NanoBaseWeights } from './base-weights';
import { NANO_LEXICAL_FEATURES, type NanoConfig, type NanoProjection } from './nano-config';
import { NanoModelError } from './nano-error';

/**
 * 4-bit replacements for base projections, keyed by projection. A list of parts is summed (SplitQuant
 * splits one weight into parts); the quantization module's `toMatMulNBitsWeights(part)` gives each.
 */
export type NanoQuantizedBase = Partial<
  Record<NanoBaseProjection, MatMulNBitsWeights | readonly MatMulNBitsWeights[]>
>;

/** The parts of a quantized projection as a list. */
export function quantizedParts(
  q: MatMulNBitsWeights | readonly MatMulNBitsWeights[],
): readonly MatMulNBitsWeights[] {
  return Array.isArray(q) ? q : [q as MatMulNBitsWeights];
}

export const NANO_INPUTS = {
  contextX: 'context_x',
  candidateX: 'candidate_x',
  candidateGroup: 'candidate_group',
  lexical: 'lexical',
} as const;

export const NANO_OUTPUTS = { logits: 'logits', values: 'values' } as const;

/** Added under the square root when unit-normalizing q and k (keeps an all-zero row finite). */
export const NORM_EPSILON = 1e-6;

/** Names and shapes of the adapter tensors for a config (ranks as configured). */
export function nanoLoraSpec(config: NanoConfig): { name: string; shape: number[] }[] {
  const spec: { name: string; shape: number[] }[] = [];
  for (const [projection, rank] of Object.entries(config.ranks) as [NanoProjection, number][]) {
    spec.push({ name: `${projection}.lora_a`, shape: [config.dim, rank] });
    spec.push({ name: `${projection}.lora_b`, shape: [rank, config.dim] });
  }
  spec.push({ name: 'value.weight', shape: [config.dim] });
  spec.push({ name: 'value.bias', shape: [1] });
  spec.push({ name: 'lexical.weight', shape: [NANO_LEXICAL_FEATURES.length] });
  return spec;
}

export function buildNanoGraph(
  config: NanoConfig,
  base: NanoBaseWeights,
  quantized: NanoQuantizedBase = {},
): Uint8Array {
  const { dim } = config;
  const features = NANO_LEXICAL_FEATURES.length;
  const g = new OnnxGraphBuilder('chimera-nano');
  const ctx = g.input(NANO_INPUTS.contextX, 'float32', ['groups', dim]);
  const cand = g.input(NANO_INPUTS.candidateX, 'float32', ['candidates', dim]);
  const group = g.input(NANO_INPUTS.candidateGroup, 'int64', ['candidates']);
  const lexical = g.input(NANO_INPUTS.lexical, 'float32', ['candidates', features]);
  const adapted = new Set(Object.keys(config.ranks) as NanoProjection[]);
  for (const p of adapted) {
    g.input(`${p}.lora_a`, 'float32', [dim, `rank_${p}`]);
    g.input(`${p}.lora_b`, 'float32', [`rank_${p}`, dim]);
  }
  g.input('value.weight', 'float32', [dim]);
  g.input('value.bias', 'float32', [1]);
  g.input('lexical.weight', 'float32', [features]);

  const baseLinear = (p: NanoBaseProjection, x: string): string => {
    const q = quantized[p];
    if (q) {
      const parts = quantizedParts(q).map((part, i) => {
        if (part.k !== dim || part.n !== dim) {
          throw new NanoModelError(
            `quantized ${p} part ${i} must be ${dim} x ${dim}, got k=${part.k}, n=${part.n}`,
          );
        }
        return addMatMulNBits(g, x, packMatMulNBits(part), { name: `${p}.part${i}`, accuracyLevel: 0 });
      });
      if (parts.length === 0) throw new NanoModelError(`quantized ${p} has no parts`);
      return parts.reduce((sum, part) => g.op('Add', [sum, part]));
    }
    const w = base[p];
    return g.op('MatMul', [
      x,
      g.initializer(w.name, { type: 'float32', dims: [w.rows, w.cols], data: w.data }),
    ]);
  };
  const withLora = (p: NanoProjection, x: string, baseOut: string): string =>
    adapted.has(p)
      ? g.op('Add', [baseOut, g.op('MatMul', [g.op('MatMul', [x, `${p}.lora_a`]), `${p}.lora_b`])])
      : baseOut;

  const x = g.op('Concat', [ctx, cand], { axis: 0 });
  const h1 = g.op('Tanh', [withLora('mlp1', x, baseLinear('mlp1', x))]);
  const h2 = g.op('Tanh', [withLora('mlp2', h1, baseLinear('mlp2', h1))]);
  const projected = baseLinear('out', h2);
  // Split the stacked rows back into contexts and candidates (sizes known only at run time).
  const sizes = g.op(
    'Concat',
    [g.op('Shape', [ctx], { start: 0, end: 1 }), g.op('Shape', [cand], { start: 0, end: 1 })],
    {
      axis: 0,
    },
  );
  const [hCtx, hCand] = g.node('Split', [h2, sizes], [g.uniqueName('h_ctx'), g.uniqueName('h_cand')], {
    axis: 0,
  });
  const [pCtx, pCand] = g.node('Split', [projected, sizes], [g.uniqueName('p_ctx'), g.uniqueName('p_cand')], {
    axis: 0,
  });
  const q = withLora('query', hCtx!, pCtx!);
  const k = withLora('key', hCand!, pCand!);

  // Unit-normalize both sides: the dot term stays in [-scale, scale] whatever the adapter does, so
  // a zeroth-order step that overshoots cannot blow the logits (and the next loss difference) up.
  const axes = g.initializer('reduce_axes', { type: 'int64', dims: [1], data: [1] });
  const tiny = g.initializer('norm_epsilon', { type: 'float32', dims: [], data: [NORM_EPSILON] });
  const unit = (v: string) =>
    g.op('Div', [
      v,
      g.op('Sqrt', [g.op('Add', [g.op('ReduceSumSquare', [v], { axes: [1], keepdims: 1 }), tiny])]),
    ]);
  const qUnit = unit(q);
  const kUnit = unit(k);
  const qPerCandidate = g.op('Gather', [qUnit, group], { axis: 0 });
  const dot = g.op('ReduceSum', [g.op('Mul', [qPerCandidate, kUnit]), axes], { keepdims: 0 });
  const scale = g.initializer('logit_scale', { type: 'float32', dims: [], data: [config.logitScale] });
  const lexicalBase = g.initializer('lexical.base', {
    type: 'float32',
    dims: [features],
    data: Float32Array.from(config.lexicalBase),
  });
  const lexicalGain = g.initializer('lexical.gain', {
    type: 'float32',
    dims: [],
    data: [config.lexicalGain],
  });
  const lexicalWeights = g.op('Add', [lexicalBase, g.op('Mul', ['lexical.weight', lexicalGain])]);
  const lexicalScore = g.op('MatMul', [lexical, lexicalWeights]);
  g.node('Add', [g.op('Mul', [dot, scale]), lexicalScore], [NANO_OUTPUTS.logits]);
  g.node('Add', [g.op('MatMul', [qUnit, 'value.weight']), 'value.bias'], [NANO_OUTPUTS.values]);
  g.output(NANO_OUTPUTS.logits, 'float32', ['candidates']);
  g.output(NANO_OUTPUTS.values, 'float32', ['groups']);
  return g.toBytes({ opsetImports: { '': 17, 'com.microsoft': 1 } });
}
