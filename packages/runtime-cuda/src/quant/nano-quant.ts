/**
 * Quantizing chimera-nano's frozen base (src/nano): its three d x d projections (mlp1, mlp2, out)
 * become 4-bit layers, and KurTail rotates the one space where a rotation folds exactly: the pooled
 * text embedding that mlp1 reads. Pooling sums embedding rows and L2-normalizes, both
 * rotation-equivariant, so rotating the embedding table's columns (E -> E R) and mlp1's rows
 * (W1 -> R^T W1) leaves the full-precision model unchanged. mlp2 and out read tanh outputs, where
 * a rotation could only run online, so they are quantized unrotated.
 *
 * The seam with the model: `NanoPolicyModel.create({ baseWeights, quantizedBase })`. `baseWeights`
 * carries the rotated embedding; `quantizedBase` carries one MatMulNBits weight per projection
 * (RTN methods). SplitQuantV2 layers have three parts each, which that seam cannot take yet: for
 * them `dequantizedBase` gives the exact float weights the three 4-bit parts compute (what
 * MatMulNBits at accuracy level 0 computes, to ~1e-7), and `parts` the MatMulNBits weights to emit.
 * A LoRA on mlp1 (not adapted by default) must have its lora_a rows rotated the same way (rotateRows).
 */

import type { NamedMatrix, NanoBaseProjection, NanoBaseWeights } from '../nano/base-weights';
import type { PreparedBatch } from '../nano/featurizer';
import type { NanoQuantizedBase } from '../nano/nano-graph';
import type { MatMulNBitsWeights } from '../onnx/matmul-nbits';
import { matmul } from './linear-algebra';
import { toMatMulNBitsWeights } from './onnx-emit';
import { QuantError } from './quant-error';
import {
  type QuantizedModel,
  type QuantizeModelOptions,
  type QuantPlan,
  quantizeModel,
  type WeightMap,
} from './quantize-model';
import { dequantizeLinear } from './quantized-linear';
import { SeededRandom } from './random';

const PROJECTIONS: readonly NanoBaseProjection[] = ['mlp1', 'mlp2', 'out'];

export const NANO_QUANT_PLAN: QuantPlan = Object.freeze({
  linears: ['mlp1.weight', 'mlp2.weight', 'out.weight'],
  sites: [{ name: 'pooled-embedding', readers: ['mlp1.weight'], writers: ['embedding.weight'] }],
});

export function nanoWeightMap(base: NanoBaseWeights): WeightMap {
  const map: WeightMap = new Map();
  for (const m of [base.embedding, base.mlp1, base.mlp2, base.out])
    map.set(m.name, { shape: [m.rows, m.cols], data: m.data });
  return map;
}

/** Inputs of mlp1, mlp2 and out on a prepared batch (contexts and candidates), from the float base. */
export function nanoCalibration(base: NanoBaseWeights, batch: PreparedBatch): Map<string, Float32Array> {
  const d = base.mlp1.rows;
  const rows = batch.groups + batch.candidates;
  const x = new Float32Array(rows * d);
  x.set(batch.contextX, 0);
  x.set(batch.candidateX, batch.groups * d);
  const h1 = matmul(x, base.mlp1.data, rows, d, d).map(Math.tanh);
  const h2 = matmul(h1, base.mlp2.data, rows, d, d).map(Math.tanh);
  return new Map([
    ['mlp1.weight', x],
    ['mlp2.weight', h1],
    ['out.weight', h2],
  ]);
}

export interface QuantizedNanoBase {
  model: QuantizedModel;
  /** The base with the rotated embedding and rotated float projections (rotation methods), else a copy. */
  baseWeights: NanoBaseWeights;
  /** One MatMulNBits weight per projection, for `NanoPolicyModel.create({ quantizedBase })`; absent for SplitQuantV2. */
  quantizedBase?: NanoQuantizedBase;
  /** The MatMulNBits parts of every projection (three each for SplitQuantV2), to sum in a graph. */
  parts: Record<NanoBaseProjection, MatMulNBitsWeights[]>;
  /** `baseWeights` with each projection replaced by the float weight its 4-bit parts compute. */
  dequantizedBase: NanoBaseWeights;
}

export interface QuantizeNanoOptions extends Omit<QuantizeModelOptions, 'calibration'> {
  /** A prepared batch (`model.prepare(groups)`) of typical decisions; KurTail needs it, the report uses it. */
  calibration?: PreparedBatch;
}

export function quantizeNanoBase(base: NanoBaseWeights, options: QuantizeNanoOptions): QuantizedNanoBase {
  const { calibration, ...rest } = options;
  const model = quantizeModel(nanoWeightMap(base), NANO_QUANT_PLAN, {
    ...rest,
    ...(calibration ? { calibration: nanoCalibration(base, calibration) } : {}),
  });
  const matrix = (m: NamedMatrix, data: Float32Array): NamedMatrix => ({
    name: m.name,
    rows: m.rows,
    cols: m.cols,
    data,
  });
  const tensor = (name: string) => {
    const t = model.weights.get(name);
    if (!t) throw new QuantError(`quantizeNanoBase: missing ${name}`);
    return t.data;
  };
  const baseWeights: NanoBaseWeights = {
    embedding: matrix(base.embedding, tensor('embedding.weight')),
    mlp1: matrix(base.mlp1, tensor('mlp1.weight')),
    mlp2: matrix(base.mlp2, tensor('mlp2.weight')),
    out: matrix(base.out, tensor('out.weight')),
  };
  const dequantizedBase: NanoBaseWeights = { ...baseWeights };
  const parts = {} as Record<NanoBaseProjection, MatMulNBitsWeights[]>;
  const single: NanoQuantizedBase = {};
  for (const p of PROJECTIONS) {
    const layer = model.layers.get(`${p}.weight`);
    if (!layer) throw new QuantError(`quantizeNanoBase: ${p} was not quantized`);
    parts[p] = layer.parts.map(toMatMulNBitsWeights);
    dequantizedBase[p] = matrix(base[p], dequantizeLinear(layer));
    if (layer.parts.length === 1) single[p] = parts[p][0];
  }
  const everySingle = PROJECTIONS.every((p) => parts[p].length === 1);
  return { model, baseWeights, ...(everySingle ? { quantizedBase: single } : {}), parts, dequantizedBase };
}

const COLOURS = [
  'red',
  'blue',
  'green',
  'yellow',
  'black',
  'white',
  'orange',
  'purple',
  'grey',
  'brown',
  'pink',
  'teal',
];
const THINGS = [
  'hat',
  'lamp',
  'chair',
  'kettle',
  'mug',
  'desk',
  'sofa',
  'rug',
  'shelf',
  'stool',
  'curtain',
  'teapot',
];

/**
 * Seeded "open the <colour> <thing> page" decisions among 8 links, some sharing a word with the
 * goal: calibration inputs for the quantizer and a small labelled task (target = right link).
 */
export function nanoSelectionTasks(
  count: number,
  seed: number,
): { context: string; candidates: string[]; target: number }[] {
  const random = new SeededRandom(seed);
  const pick = (list: string[]) => list[random.int(list.length)] as string;
  return Array.from({ length: count }, () => {
    const colour = pick(COLOURS);
    const thing = pick(THINGS);
    const names = new Set([`${colour} ${thing}`, `${colour} ${pick(THINGS)}`, `${pick(COLOURS)} ${thing}`]);
    while (names.size < 8) names.add(`${pick(COLOURS)} ${pick(THINGS)}`);
    const order = [...names];
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j] as string, order[i] as string];
    }
    return {
      context: `Open the ${colour} ${thing} page`,
      candidates: order.map((name, i) => `click e${i + 1} link "${name}"`),
      target: order.indexOf(`${colour} ${thing}`),
    };
  });
}
