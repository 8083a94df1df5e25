/**
 * The plain TypeScript forward of chimera-nano: the same arithmetic as nano-graph.ts, loop by loop.
 * It is the reference the ONNX session is checked against, and the baseline of bench/nano.bench.ts.
 */
import type { NanoBaseProjection } from './base-weights';
import type { PreparedBatch } from './featurizer';
import type { LoraWeights } from './lora-weights';
import { NANO_LEXICAL_FEATURES, type NanoConfig, type NanoProjection } from './nano-config';
import { NORM_EPSILON } from './nano-graph';

/** Float weights of the base projections as the graph computes with them (dequantized where quantized). */
export type ReferenceProjections = Record<NanoBaseProjection, Float32Array>;

/** out[rows, d] = x[rows, d] @ w[d, d] (+ (x @ A) @ B when `lora` has this projection). */
function linear(
  x: Float64Array,
  rows: number,
  d: number,
  w: Float32Array,
  lora: LoraWeights,
  projection: NanoProjection,
  adapted: boolean,
): Float64Array {
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) {
    for (let p = 0; p < d; p++) {
      const xv = x[i * d + p]!;
      if (xv === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += xv * w[p * d + j]!;
    }
  }
  if (adapted) {
    const a = lora.get(`${projection}.lora_a`);
    const b = lora.get(`${projection}.lora_b`);
    const r = a.length / d;
    const t = new Float64Array(r);
    for (let i = 0; i < rows; i++) {
      t.fill(0);
      for (let p = 0; p < d; p++) for (let s = 0; s < r; s++) t[s]! += x[i * d + p]! * a[p * r + s]!;
      for (let s = 0; s < r; s++) for (let j = 0; j < d; j++) out[i * d + j]! += t[s]! * b[s * d + j]!;
    }
  }
  return out;
}

export function referenceForward(
  config: NanoConfig,
  weights: ReferenceProjections,
  batch: PreparedBatch,
  lora: LoraWeights,
): { logits: Float32Array; values: Float32Array } {
  const d = config.dim;
  const { groups, candidates } = batch;
  const rows = groups + candidates;
  const adapted = (p: NanoProjection) => p in config.ranks;
  const x = new Float64Array(rows * d);
  x.set(batch.contextX, 0);
  x.set(batch.candidateX, groups * d);
  const h1 = linear(x, rows, d, weights.mlp1, lora, 'mlp1', adapted('mlp1')).map(Math.tanh);
  const h2 = linear(h1, rows, d, weights.mlp2, lora, 'mlp2', adapted('mlp2')).map(Math.tanh);
  const hCtx = h2.subarray(0, groups * d);
  const hCand = h2.subarray(groups * d);
  const q = linear(hCtx, groups, d, weights.out, lora, 'query', adapted('query'));
  const k = linear(hCand, candidates, d, weights.out, lora, 'key', adapted('key'));
  const features = NANO_LEXICAL_FEATURES.length;
  const lexicalWeight = lora.get('lexical.weight');
  unitRows(q, groups, d);
  unitRows(k, candidates, d);
  const logits = new Float32Array(candidates);
  for (let c = 0; c < candidates; c++) {
    const gi = Number(batch.candidateGroup[c]);
    let dot = 0;
    for (let j = 0; j < d; j++) dot += q[gi * d + j]! * k[c * d + j]!;
    let lex = 0;
    for (let f = 0; f < features; f++)
      lex +=
        batch.lexical[c * features + f]! * (config.lexicalBase[f]! + config.lexicalGain * lexicalWeight[f]!);
    logits[c] = config.logitScale * dot + lex;
  }
  const valueWeight = lora.get('value.weight');
  const bias = lora.get('value.bias')[0]!;
  const values = new Float32Array(groups);
  for (let gi = 0; gi < groups; gi++) {
    let v = bias;
    for (let j = 0; j < d; j++) v += q[gi * d + j]! * valueWeight[j]!;
    values[gi] = v;
  }
  return { logits, values };
}

function unitRows(v: Float64Array, rows: number, d: number): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += v[i * d + j]! ** 2;
    const inv = 1 / Math.sqrt(sum + NORM_EPSILON);
    for (let j = 0; j < d; j++) v[i * d + j]! *= inv;
  }
}
