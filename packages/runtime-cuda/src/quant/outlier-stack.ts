/**
 * A synthetic pre-norm residual MLP stack with injected activation outliers, the test bed for the
 * quantizers (and the CLI's `--model outlier-stack`). Like the residual stream of an LLM, a few
 * channels carry "massive activations" (a large, nearly constant embedding bias), so every
 * RMSNorm output is dominated by them:
 *
 *   x0 = e W_embed + b_embed                        e: input features of a token
 *   x_{l+1} = x_l + silu(rmsnorm(x_l) * g_l W_up_l) W_down_l
 *   logits = rmsnorm(x_L) * g_f W_head + b_head
 *
 * The task is teacher-student: a token's label is the class the full-precision stack itself picks
 * (optionally with a share of labels randomized), so a quantized copy's accuracy is the share of
 * the original's decisions it keeps, and its cross-entropy is the loss scale fine-tuning lowers. The residual stream is one rotation site: W_embed,
 * b_embed and every W_down write it; every W_up and W_head read it (norm scales folded first).
 */
import { OnnxGraphBuilder } from '../onnx/graph-builder';
import { fakeQuantizeActivations } from './activation-quant';
import { matmul } from './linear-algebra';
import {
  addActivationQuantization,
  addQuantizedLinear,
  addRmsNorm,
  type QuantizedLinearFormat,
} from './onnx-emit';
import { QuantError } from './quant-error';
import type { QuantizedModel, QuantPlan, WeightMap } from './quantize-model';
import { SeededRandom } from './random';

export interface OutlierStackConfig {
  inputDim: number;
  dim: number;
  hidden: number;
  layers: number;
  classes: number;
  /** Residual channels carrying massive activations. */
  outlierChannels: number;
  /** Their magnitude, in units of an ordinary channel's standard deviation. */
  outlierScale: number;
  /** Standard deviation of W_up entries times sqrt(dim), and of W_down entries times sqrt(hidden). */
  upGain: number;
  downGain: number;
  /** Standard deviation of W_head entries times sqrt(dim): sets how confident the teacher's decisions are. */
  headGain: number;
  /** Spread of the norm scales g (log-normal sigma). */
  normSpread: number;
  trainTokens: number;
  testTokens: number;
  /** Share of labels replaced by a random class. */
  noise: number;
  seed: number;
}

export const DEFAULT_OUTLIER_STACK: Readonly<OutlierStackConfig> = Object.freeze({
  inputDim: 32,
  dim: 128,
  hidden: 256,
  layers: 4,
  classes: 8,
  outlierChannels: 4,
  outlierScale: 40,
  upGain: 1,
  downGain: 1,
  headGain: 16,
  normSpread: 0.3,
  trainTokens: 2048,
  testTokens: 1024,
  noise: 0,
  seed: 7,
});

export interface LabeledTokens {
  /** [tokens, inputDim] */
  x: Float32Array;
  labels: Int32Array;
}

export interface OutlierStack {
  config: OutlierStackConfig;
  weights: WeightMap;
  plan: QuantPlan;
  train: LabeledTokens;
  test: LabeledTokens;
}

export interface StackForwardOptions {
  /** Float weights to use instead of `weights` for some layers (e.g. dequantized 4-bit ones). */
  overrides?: ReadonlyMap<string, Float32Array>;
  /** Fake-quantize the input of every layer in this set to `activationBits` per token. */
  activationBits?: number;
  quantizedInputs?: ReadonlySet<string>;
  /** Rotations applied to a layer's input at run time (`QuantizedModel.onlineRotations`). */
  onlineRotations?: ReadonlyMap<string, Float64Array>;
  /** Receives each linear layer's input (as the layer sees it, before activation quantization). */
  capture?: (layer: string, input: Float32Array) => void;
}

export function createOutlierStack(partial: Partial<OutlierStackConfig> = {}): OutlierStack {
  const config = { ...DEFAULT_OUTLIER_STACK, ...partial };
  const { inputDim, dim, hidden, layers, classes, seed } = config;
  if (config.outlierChannels >= dim) throw new QuantError('outlierChannels must be fewer than dim');
  const random = new SeededRandom(seed);
  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[], data: Float32Array) => weights.set(name, { shape, data });
  put('embed.weight', [inputDim, dim], random.normals(inputDim * dim, 1 / Math.sqrt(inputDim)));
  const bias = new Float32Array(dim);
  // Spread the massive channels over the width, alternating sign, as observed in LLM residual streams.
  const outliers = Array.from({ length: config.outlierChannels }, (_, i) =>
    Math.floor(((i + 0.5) * dim) / config.outlierChannels),
  );
  outliers.forEach((channel, i) => {
    bias[channel] = (i % 2 ? -1 : 1) * config.outlierScale;
  });
  put('embed.bias', [dim], bias);
  const gamma = () => Float32Array.from({ length: dim }, () => Math.exp(config.normSpread * random.normal()));
  for (let l = 0; l < layers; l++) {
    put(`blocks.${l}.norm.weight`, [dim], gamma());
    put(`blocks.${l}.up.weight`, [dim, hidden], random.normals(dim * hidden, config.upGain / Math.sqrt(dim)));
    put(
      `blocks.${l}.down.weight`,
      [hidden, dim],
      random.normals(hidden * dim, config.downGain / Math.sqrt(hidden)),
    );
  }
  put('final_norm.weight', [dim], gamma());
  // The head ignores the massive channels (zero rows): they carry no information about a token,
  // and reading them would turn any tiny relative change of their size into a large shift of every
  // logit, which would swamp the measurement of everything else.
  const head = random.normals(dim * classes, config.headGain / Math.sqrt(dim));
  for (const channel of outliers) head.fill(0, channel * classes, (channel + 1) * classes);
  put('head.weight', [dim, classes], head);
  // The massive channels add the same large offset to every token's logits; centring the head's
  // bias on a reference draw removes it, so decisions depend on each token's content.
  const headBias = new Float32Array(classes);
  put('head.bias', [classes], headBias);
  const reference = stackForward(config, weights, random.normals(512 * inputDim));
  for (let c = 0; c < classes; c++) {
    let mean = 0;
    for (let t = 0; t < 512; t++) mean += reference[t * classes + c] as number;
    headBias[c] = -mean / 512;
  }
  // Teacher labels: the full-precision stack's own top class (a fraction `noise` replaced at random),
  // so accuracy measures how many of its decisions a quantized copy keeps.
  const sample = (tokens: number): LabeledTokens => {
    const x = random.normals(tokens * inputDim);
    const logits = stackForward(config, weights, x);
    const labels = new Int32Array(tokens);
    for (let t = 0; t < tokens; t++) {
      labels[t] = random.next() < config.noise ? random.int(classes) : argmax(logits, t * classes, classes);
    }
    return { x, labels };
  };
  const train = sample(config.trainTokens);
  const test = sample(config.testTokens);
  const plan: QuantPlan = {
    linears: Array.from({ length: layers }, (_, l) => [
      `blocks.${l}.up.weight`,
      `blocks.${l}.down.weight`,
    ]).flat(),
    foldScales: [
      ...Array.from({ length: layers }, (_, l) => ({
        scale: `blocks.${l}.norm.weight`,
        into: [`blocks.${l}.up.weight`],
      })),
      { scale: 'final_norm.weight', into: ['head.weight'] },
    ],
    sites: [
      // The MLP's hidden activations sit behind SiLU, so their rotation cannot fold into W_up: it
      // runs online (x -> x R before W_down, as QuaRot and KurTail do for down projections).
      ...Array.from({ length: layers }, (_, l) => ({
        name: `blocks.${l}.hidden`,
        readers: [`blocks.${l}.down.weight`],
        writers: [],
        online: true,
      })),
      {
        name: 'residual',
        readers: [...Array.from({ length: layers }, (_, l) => `blocks.${l}.up.weight`), 'head.weight'],
        writers: [
          'embed.weight',
          'embed.bias',
          ...Array.from({ length: layers }, (_, l) => `blocks.${l}.down.weight`),
        ],
      },
    ],
  };
  return { config, weights, plan, train, test };
}

/** Logits [tokens, classes] of the stack on inputs x [tokens, inputDim]. */
export function stackForward(
  config: OutlierStackConfig,
  weights: WeightMap,
  x: Float32Array,
  options: StackForwardOptions = {},
): Float32Array {
  const features = stackFeatures(config, weights, x, options);
  const tokens = x.length / config.inputDim;
  const logits = linear('head.weight', features, tokens, config.dim, config.classes, weights, options);
  const bias = tensor(weights, 'head.bias');
  for (let t = 0; t < tokens; t++)
    for (let c = 0; c < config.classes; c++) logits[t * config.classes + c]! += bias[c] as number;
  return logits;
}

function stackFeatures(
  config: OutlierStackConfig,
  weights: WeightMap,
  x: Float32Array,
  options: StackForwardOptions,
): Float32Array {
  const { inputDim, dim, hidden, layers } = config;
  if (x.length % inputDim !== 0) throw new QuantError(`inputs must be rows of ${inputDim} values`);
  const tokens = x.length / inputDim;
  const residual = matmul(x, tensor(weights, 'embed.weight'), tokens, inputDim, dim);
  const bias = tensor(weights, 'embed.bias');
  for (let i = 0; i < residual.length; i++) residual[i]! += bias[i % dim] as number;
  for (let l = 0; l < layers; l++) {
    const h = rmsNorm(residual, tensor(weights, `blocks.${l}.norm.weight`));
    const u = linear(`blocks.${l}.up.weight`, h, tokens, dim, hidden, weights, options);
    for (let i = 0; i < u.length; i++) {
      const v = u[i] as number;
      u[i] = v / (1 + Math.exp(-v));
    }
    const update = linear(`blocks.${l}.down.weight`, u, tokens, hidden, dim, weights, options);
    for (let i = 0; i < residual.length; i++) residual[i]! += update[i] as number;
  }
  const features = rmsNorm(residual, tensor(weights, 'final_norm.weight'));
  options.capture?.('head.weight', features);
  return features;
}

function linear(
  name: string,
  input: Float32Array,
  rows: number,
  k: number,
  n: number,
  weights: WeightMap,
  options: StackForwardOptions,
): Float32Array {
  const online = options.onlineRotations?.get(name);
  if (online) input = Float32Array.from(matmul(Float64Array.from(input), online, rows, k, k));
  options.capture?.(name, input);
  const quantizedInput =
    options.activationBits !== undefined && options.quantizedInputs?.has(name)
      ? fakeQuantizeActivations(input, k, options.activationBits)
      : input;
  const w = options.overrides?.get(name) ?? tensor(weights, name);
  return matmul(quantizedInput, w, rows, k, n);
}

export function rmsNorm(x: Float32Array, gamma: Float32Array, eps = 1e-6): Float32Array {
  const d = gamma.length;
  const out = new Float32Array(x.length);
  for (let t = 0; t < x.length / d; t++) {
    let sum = 0;
    for (let j = 0; j < d; j++) sum += (x[t * d + j] as number) ** 2;
    const inv = 1 / Math.sqrt(sum / d + eps);
    for (let j = 0; j < d; j++) out[t * d + j] = (x[t * d + j] as number) * inv * (gamma[j] as number);
  }
  return out;
}

function tensor(weights: WeightMap, name: string): Float32Array {
  const t = weights.get(name);
  if (!t) throw new QuantError(`the stack has no tensor "${name}"`);
  return t.data;
}

/** Each linear layer's input on `x` (calibration for `quantizeModel`). */
export function stackCalibration(stack: OutlierStack, x: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  stackForward(stack.config, stack.weights, x, { capture: (layer, input) => out.set(layer, input) });
  return out;
}

function argmax(values: Float32Array, at: number, length: number): number {
  let best = 0;
  for (let c = 1; c < length; c++) if ((values[at + c] as number) > (values[at + best] as number)) best = c;
  return best;
}

/** Share of tokens whose top logit is the labelled class. */
export function accuracy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let t = 0; t < labels.length; t++) if (argmax(logits, t * classes, classes) === labels[t]) correct++;
  return correct / labels.length;
}

/** Mean softmax cross-entropy of logits against labels. */
export function crossEntropy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let t = 0; t < labels.length; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[t * classes + c] as number);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp((logits[t * classes + c] as number) - max);
    total += Math.log(sum) + max - (logits[t * classes + (labels[t] as number)] as number);
  }
  return total / labels.length;
}

export interface StackGraphOptions {
  /** Quantized layers, rotated weights and online rotations from `quantizeModel`; omitted: the float stack. */
  quantized?: QuantizedModel;
  /** Per-token fake quantization of every quantized layer's input. */
  activationBits?: number;
  format?: QuantizedLinearFormat;
}

/** The stack as an ONNX model: input `x` [batch, inputDim], output `logits` [batch, classes]. */
export function buildOutlierStackGraph(stack: OutlierStack, options: StackGraphOptions = {}): Uint8Array {
  const { config } = stack;
  const { inputDim, layers, classes } = config;
  const format = options.format ?? 'matmulnbits';
  const opset = format === 'dequantize-linear' ? 21 : 17;
  const weights = options.quantized?.weights ?? stack.weights;
  const g = new OnnxGraphBuilder('outlier-stack');
  const float = (name: string): string => {
    const t = weights.get(name);
    if (!t) throw new QuantError(`the stack has no tensor "${name}"`);
    return g.initializer(name, { type: 'float32', dims: t.shape, data: t.data });
  };
  const linear = (name: string, input: string): string => {
    const online = options.quantized?.onlineRotations.get(name);
    let x = input;
    if (online) {
      const d = Math.sqrt(online.length);
      x = g.op('MatMul', [
        x,
        g.initializer(`${name}.online_rotation`, {
          type: 'float32',
          dims: [d, d],
          data: Float32Array.from(online),
        }),
      ]);
    }
    const layer = options.quantized?.layers.get(name);
    if (!layer) return g.op('MatMul', [x, float(name)]);
    if (options.activationBits !== undefined)
      x = addActivationQuantization(g, x, options.activationBits, opset);
    return addQuantizedLinear(g, x, layer, { name, format });
  };
  const tensorOf = (name: string) => weights.get(name)?.data as Float32Array;
  let residual = g.op('Add', [
    g.op('MatMul', [g.input('x', 'float32', ['batch', inputDim]), float('embed.weight')]),
    float('embed.bias'),
  ]);
  for (let l = 0; l < layers; l++) {
    const h = addRmsNorm(g, residual, tensorOf(`blocks.${l}.norm.weight`), `blocks.${l}.norm.weight`);
    const u = linear(`blocks.${l}.up.weight`, h);
    const activated = g.op('Mul', [u, g.op('Sigmoid', [u])]);
    residual = g.op('Add', [residual, linear(`blocks.${l}.down.weight`, activated)]);
  }
  const features = addRmsNorm(g, residual, tensorOf('final_norm.weight'), 'final_norm.weight');
  g.node('Add', [linear('head.weight', features), float('head.bias')], ['logits']);
  g.output('logits', 'float32', ['batch', classes]);
  return g.toBytes({ opsetImports: { '': opset, 'com.microsoft': 1 } });
}

/** Mean KL(softmax(teacher) || softmax(student)) per token: 0 exactly when the distributions agree. */
export function distillationLoss(student: Float32Array, teacher: Float32Array, classes: number): number {
  if (student.length !== teacher.length)
    throw new QuantError('distillationLoss: student and teacher logits differ in size');
  const tokens = student.length / classes;
  let total = 0;
  for (let t = 0; t < tokens; t++) {
    const at = t * classes;
    const logSumExp = (v: Float32Array) => {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) max = Math.max(max, v[at + c] as number);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp((v[at + c] as number) - max);
      return max + Math.log(sum);
    };
    const zt = logSumExp(teacher);
    const zs = logSumExp(student);
    for (let c = 0; c < classes; c++) {
      const logP = (teacher[at + c] as number) - zt;
      total += Math.exp(logP) * (logP - ((student[at + c] as number) - zs));
    }
  }
  return total / tokens;
}
