/**
 * A quantized linear layer: one or more 4-bit weights whose dequantized sum approximates W [K, N].
 * Round-to-nearest gives one part; SplitQuantV2 gives three (lower / middle / upper), each a
 * full-size sparse-by-construction layer with its own scales, computed as three 4-bit matmuls
 * whose outputs are added.
 */
import { QuantError } from './quant-error';
import { dequantizeInto, type QuantizedWeight, quantizedBytes, quantizeRtn } from './rtn';
import { quantizeSplit, type SplitQuantOptions } from './splitquant';

export type QuantizationMethod = 'rtn' | 'splitquant';

export interface QuantizedLinear {
  method: QuantizationMethod;
  k: number;
  n: number;
  parts: QuantizedWeight[];
  /** SplitQuantV2's cluster boundaries [lower|middle, middle|upper]; absent for RTN. */
  boundaries?: [number, number];
}

/** The float weight [K, N] the quantized layer computes with (sum of its parts). */
export function dequantizeLinear(
  layer: QuantizedLinear,
  out = new Float32Array(layer.k * layer.n),
): Float32Array {
  if (out.length !== layer.k * layer.n) {
    throw new QuantError(`dequantizeLinear: out must hold ${layer.k * layer.n} values, got ${out.length}`);
  }
  out.fill(0);
  for (const part of layer.parts) dequantizeInto(part, out, true);
  return out;
}

export function linearBytes(layer: QuantizedLinear): number {
  return layer.parts.reduce((total, part) => total + quantizedBytes(part), 0);
}

/** The scale arrays of a layer, in part order: what PEQA-style fine-tuning trains. */
export function linearScales(layer: QuantizedLinear): Float32Array[] {
  return layer.parts.map((p) => p.scales);
}

/** Quantizes W [K, N] with the given method (RTN, or SplitQuantV2's three-way split). */
export function quantizeLinear(
  weight: Float32Array,
  k: number,
  n: number,
  options: SplitQuantOptions & { method?: QuantizationMethod } = {},
): QuantizedLinear {
  const method = options.method ?? 'rtn';
  if (method === 'splitquant') return quantizeSplit(weight, k, n, options);
  if (method !== 'rtn')
    throw new QuantError(`unknown quantization method ${JSON.stringify(method)}; use 'rtn' or 'splitquant'`);
  return { method: 'rtn', k, n, parts: [quantizeRtn(weight, k, n, options)] };
}
