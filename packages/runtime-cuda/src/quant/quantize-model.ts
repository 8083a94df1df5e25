/**
 * The quantization pipeline over a model's named weights (e.g. read from safetensors): fold norm
 * scales, learn or draw a rotation per rotation site and fold it into the weights around that site,
 * then quantize the chosen linear layers with RTN or SplitQuantV2, and report per layer what changed.
 *
 * A model describes itself with a `QuantPlan`: which [K, N] weights are quantized, which norm
 * scales fold into which readers, and its rotation sites. A site is a d-dimensional activation
 * space with the weights that read it (rows rotated, W -> R^T W) and the tensors that write it
 * (columns rotated, W -> W R). The model's own code guarantees that only rotation-equivariant
 * operations sit between writers and readers; `rotated full-precision output == original` is the
 * test that it holds.
 */
import { fakeQuantizeActivations } from './activation-quant';
import { type KurTailOptions, learnKurTailRotation } from './kurtail';
import { meanTokenKurtosis } from './kurtosis';
import { matmul, relativeError } from './linear-algebra';
import { QuantError } from './quant-error';
import { dequantizeLinear, linearBytes, type QuantizedLinear, quantizeLinear } from './quantized-linear';
import { randomHadamardRotation, rotateColumns, rotateRows, scaleRows } from './rotations';

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = Map<string, WeightTensor>;

export interface RotationSite {
  name: string;
  /** [d, n] weights reading the space. */
  readers: string[];
  /** [m, d] matrices or [d] vectors writing into it. */
  writers: string[];
  /**
   * The space has no foldable writer (e.g. it sits behind a nonlinearity): the model multiplies
   * the activations by R at run time before the readers (`QuantizedModel.onlineRotations`).
   */
  online?: boolean;
}

export interface QuantPlan {
  /** [K, N] weights (y = x W) to quantize to 4 bits. */
  linears: string[];
  /** Per-channel scales [d] (e.g. RMSNorm weights) folded into the [d, n] weights reading them; the scale becomes 1. */
  foldScales?: { scale: string; into: string[] }[];
  sites?: RotationSite[];
}

/** `rtn` / `splitquant` alone, or after a learned KurTail rotation, or after a random Hadamard rotation (the baseline rotation). */
export type QuantMethod =
  | 'rtn'
  | 'splitquant'
  | 'kurtail-rtn'
  | 'kurtail-splitquant'
  | 'hadamard-rtn'
  | 'hadamard-splitquant';

export const QUANT_METHODS: readonly QuantMethod[] = [
  'rtn',
  'splitquant',
  'kurtail-rtn',
  'kurtail-splitquant',
  'hadamard-rtn',
  'hadamard-splitquant',
];

export interface QuantizeModelOptions {
  method: QuantMethod;
  /** Rows per scale along K, or `'channel'`. Default 32. */
  groupSize?: number | 'channel';
  symmetric?: boolean;
  /**
   * Inputs of layers as the original model computes them, [T, K] row-major, keyed by layer name.
   * KurTail learns each site's rotation from its readers' inputs; the report's kurtosis and
   * output error use them too (layers without calibration report only weight error).
   */
  calibration?: ReadonlyMap<string, Float32Array>;
  kurtail?: KurTailOptions;
  /** Seed of Hadamard signs (and KurTail's start). Default 0. */
  seed?: number;
  /**
   * Rotations to use as they are, by site name (e.g. `previous.rotations`): a learned rotation
   * depends only on the calibration, so one KurTail run can serve both quantizers.
   */
  rotations?: ReadonlyMap<string, Float64Array>;
  /** Per-token activation bits the report's output error simulates (W4A4: 4). Default: float activations. */
  activationBits?: number;
}

export interface LayerReport {
  layer: string;
  k: number;
  n: number;
  method: QuantMethod;
  site?: string;
  /** Mean per-token kurtosis of the layer's input in the original model. */
  kurtosisBefore?: number;
  /** ... of what the quantized layer reads (after folding and rotation). */
  kurtosisAfter?: number;
  /** ||x' W_q - x W|| / ||x W|| on the calibration inputs (with activation quantization when asked). */
  relativeOutputError?: number;
  /** ||W_q - W'|| / ||W'|| against the folded, rotated float weight. */
  relativeWeightError: number;
  bytesFloat32: number;
  bytesQuantized: number;
}

export interface SiteReport {
  site: string;
  d: number;
  kind: 'kurtail' | 'hadamard';
  kurtosis: { original: number; hadamard?: number; learned?: number };
  orthogonalityError?: number;
}

export interface QuantizedModel {
  /** Every tensor after folding and rotation, in float (quantized layers too: their float version). */
  weights: WeightMap;
  layers: Map<string, QuantizedLinear>;
  /** R [d, d] per site, row-major: activations of the site are x R in the quantized model. */
  rotations: Map<string, Float64Array>;
  /** Per layer, the rotation the model must apply to its input at run time (online sites only). */
  onlineRotations: Map<string, Float64Array>;
  report: LayerReport[];
  sites: SiteReport[];
}

export function quantizeModel(
  weights: WeightMap,
  plan: QuantPlan,
  options: QuantizeModelOptions,
): QuantizedModel {
  const method = options.method;
  if (!QUANT_METHODS.includes(method)) {
    throw new QuantError(`unknown method ${JSON.stringify(method)}; use one of ${QUANT_METHODS.join(', ')}`);
  }
  const rotation = method.startsWith('kurtail-')
    ? 'kurtail'
    : method.startsWith('hadamard-')
      ? 'hadamard'
      : 'none';
  const quantizer = method.endsWith('splitquant') ? 'splitquant' : 'rtn';
  const seed = options.seed ?? 0;
  const out: WeightMap = new Map(
    [...weights].map(([k, v]) => [k, { shape: [...v.shape], data: Float32Array.from(v.data) }]),
  );
  const get = (name: string, why: string): WeightTensor => {
    const t = out.get(name);
    if (!t)
      throw new QuantError(
        `${why}: no tensor named "${name}" in the weights (have ${[...out.keys()].slice(0, 8).join(', ')}...)`,
      );
    return t;
  };
  // inputScale[layer]: the per-channel factor the layer's input lost when a scale was folded into it.
  const inputScale = new Map<string, Float32Array>();
  const rotationOf = new Map<string, { site: string; r: Float64Array }>();
  // Quantized layers that write a rotated site: their output is the original output times R.
  const outputRotation = new Map<string, Float64Array>();

  // Norm scales fold only when a rotation follows: a rotation needs them out of the way, while
  // folding alone would just widen the ranges the 4-bit grids must cover.
  if (rotation !== 'none') {
    for (const fold of plan.foldScales ?? []) {
      const scale = get(fold.scale, 'foldScales');
      for (const reader of fold.into) {
        const w = get(reader, `foldScales into`);
        const [rows, cols] = matrixShape(w, reader);
        if (rows !== scale.data.length) {
          throw new QuantError(
            `foldScales: ${fold.scale} has ${scale.data.length} channels but ${reader} reads ${rows}`,
          );
        }
        w.data = scaleRows(w.data, scale.data, cols);
        inputScale.set(reader, scale.data);
      }
      out.set(fold.scale, { shape: scale.shape, data: new Float32Array(scale.data.length).fill(1) });
    }
  }

  const sites: SiteReport[] = [];
  const rotations = new Map<string, Float64Array>();
  const onlineRotations = new Map<string, Float64Array>();
  if (rotation !== 'none') {
    for (const site of plan.sites ?? []) {
      if (site.readers.length === 0) throw new QuantError(`rotation site ${site.name} has no readers`);
      const d = matrixShape(
        get(site.readers[0] as string, `site ${site.name}`),
        site.readers[0] as string,
      )[0];
      const rows: Float32Array[] = [];
      for (const reader of site.readers) {
        const x = options.calibration?.get(reader);
        if (x) rows.push(foldedInput(x, d, inputScale.get(reader)));
      }
      const calibration = concat(rows);
      const report: SiteReport = {
        site: site.name,
        d,
        kind: rotation,
        kurtosis: { original: calibration.length ? meanTokenKurtosis(calibration, d) : Number.NaN },
      };
      let r: Float64Array;
      const given = options.rotations?.get(site.name);
      if (given) {
        if (given.length !== d * d)
          throw new QuantError(`the rotation given for site ${site.name} is not ${d} x ${d}`);
        r = given;
        if (calibration.length)
          report.kurtosis[rotation === 'kurtail' ? 'learned' : 'hadamard'] = meanTokenKurtosis(
            rotateActivations(calibration, d, r),
            d,
          );
      } else if (rotation === 'kurtail') {
        if (calibration.length === 0) {
          throw new QuantError(
            `KurTail needs calibration inputs for at least one reader of site ${site.name} (${site.readers.join(', ')})`,
          );
        }
        const learned = learnKurTailRotation(calibration, d, { seed, ...options.kurtail });
        r = learned.rotation;
        report.kurtosis.learned = learned.kurtosis.learned;
        if (options.kurtail?.init === undefined || options.kurtail.init === 'hadamard') {
          report.kurtosis.hadamard = learned.kurtosis.initial;
        }
        report.orthogonalityError = learned.orthogonalityError;
      } else {
        r = randomHadamardRotation(d, seed);
        if (calibration.length)
          report.kurtosis.hadamard = meanTokenKurtosis(rotateActivations(calibration, d, r), d);
      }
      rotations.set(site.name, r);
      sites.push(report);
      for (const reader of site.readers) {
        const w = get(reader, `site ${site.name} reader`);
        const [rows2, cols] = matrixShape(w, reader);
        if (rows2 !== d)
          throw new QuantError(`site ${site.name}: reader ${reader} reads ${rows2} channels, not ${d}`);
        w.data = rotateRows(w.data, d, cols, r);
        rotationOf.set(reader, { site: site.name, r });
        if (site.online) onlineRotations.set(reader, r);
      }
      if (site.online && site.writers.length > 0) {
        throw new QuantError(
          `site ${site.name} is online (rotated at run time), so it cannot also have writers`,
        );
      }
      for (const writer of site.writers) {
        const w = get(writer, `site ${site.name} writer`);
        const cols = w.shape[w.shape.length - 1];
        if (cols !== d)
          throw new QuantError(`site ${site.name}: writer ${writer} has last dimension ${cols}, not ${d}`);
        w.data = rotateColumns(w.data, w.data.length / d, d, r);
        outputRotation.set(writer, r);
      }
    }
  }

  const layers = new Map<string, QuantizedLinear>();
  const report: LayerReport[] = [];
  for (const name of plan.linears) {
    const w = get(name, 'linears');
    const [k, n] = matrixShape(w, name);
    const layer = quantizeLinear(w.data, k, n, {
      method: quantizer,
      ...(options.groupSize === undefined ? {} : { groupSize: options.groupSize }),
      ...(options.symmetric === undefined ? {} : { symmetric: options.symmetric }),
    });
    layers.set(name, layer);
    const dequantized = dequantizeLinear(layer);
    const entry: LayerReport = {
      layer: name,
      k,
      n,
      method,
      relativeWeightError: relativeError(dequantized, w.data),
      bytesFloat32: 4 * k * n,
      bytesQuantized: linearBytes(layer),
    };
    const rotated = rotationOf.get(name);
    if (rotated) entry.site = rotated.site;
    const x = options.calibration?.get(name);
    if (x) {
      if (x.length % k !== 0) throw new QuantError(`calibration for ${name} must be rows of ${k} values`);
      const original = weights.get(name)?.data as Float32Array;
      let seen = foldedInput(x, k, inputScale.get(name));
      if (rotated) seen = rotateActivations(seen, k, rotated.r);
      entry.kurtosisBefore = meanTokenKurtosis(x, k);
      entry.kurtosisAfter = meanTokenKurtosis(seen, k);
      if (options.activationBits !== undefined)
        seen = fakeQuantizeActivations(seen, k, options.activationBits);
      const t = x.length / k;
      let reference = matmul(x, original, t, k, n);
      const written = outputRotation.get(name);
      if (written) reference = rotateActivations(reference, n, written);
      entry.relativeOutputError = relativeError(matmul(seen, dequantized, t, k, n), reference);
    }
    report.push(entry);
  }
  return { weights: out, layers, rotations, onlineRotations, report, sites };
}

function matrixShape(w: WeightTensor, name: string): [number, number] {
  if (w.shape.length !== 2)
    throw new QuantError(`${name} must be a 2-D [K, N] weight, got shape [${w.shape.join(', ')}]`);
  return [w.shape[0] as number, w.shape[1] as number];
}

/** x / scale per channel (a folded norm scale moved into the weight); a zero scale leaves a dead channel at 0. */
function foldedInput(x: Float32Array, d: number, scale: Float32Array | undefined): Float32Array {
  if (!scale) return x;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = scale[i % d] as number;
    out[i] = s === 0 ? 0 : (x[i] as number) / s;
  }
  return out;
}

export function rotateActivations(x: Float32Array, d: number, r: Float64Array): Float32Array {
  return Float32Array.from(matmul(Float64Array.from(x), r, x.length / d, d, d));
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
