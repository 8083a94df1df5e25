/**
 * SplitQuantV2 (arXiv 2503.07657): cluster a layer's weights with 1-D k-means (k = 3), split the
 * layer into lower / middle / upper sub-layers that each keep only their cluster's weights (zero
 * elsewhere), and quantize each sub-layer to 4 bits with its own scales. The sub-layers' outputs
 * add up to the original layer's output, and each 4-bit grid now spans one cluster's range rather
 * than the whole layer's, so the dense middle gets fine steps and outliers stop widening them.
 * No calibration data is needed. Storage is about three times RTN's.
 */
import { kmeans1d } from './kmeans-1d';
import type { QuantizedLinear } from './quantized-linear';
import { checkWeight, quantizeRtn, type RtnOptions } from './rtn';

export interface SplitQuantOptions extends RtnOptions {
  /** k-means is run on at most this many weights (an even subsample) to bound its sort. Default 262,144. */
  maxClusterSamples?: number;
}

/** The three sub-layer weights of W [K, N]; they sum to W exactly. */
export function splitWeight(
  weight: Float32Array,
  k: number,
  n: number,
  options: Pick<SplitQuantOptions, 'maxClusterSamples'> = {},
): { parts: [Float32Array, Float32Array, Float32Array]; boundaries: [number, number] } {
  checkWeight(weight, k, n, 'splitWeight');
  const limit = options.maxClusterSamples ?? 262_144;
  let sample: ArrayLike<number> = weight;
  if (weight.length > limit) {
    const stride = weight.length / limit;
    sample = Float32Array.from({ length: limit }, (_, i) => weight[Math.floor(i * stride)] as number);
  }
  const { boundaries } = kmeans1d(sample, 3);
  const low = boundaries[0] as number;
  const high = boundaries[1] as number;
  const lower = new Float32Array(weight.length);
  const middle = new Float32Array(weight.length);
  const upper = new Float32Array(weight.length);
  for (let i = 0; i < weight.length; i++) {
    const v = weight[i] as number;
    if (v < low) lower[i] = v;
    else if (v < high) middle[i] = v;
    else upper[i] = v;
  }
  return { parts: [lower, middle, upper], boundaries: [low, high] };
}

export function quantizeSplit(
  weight: Float32Array,
  k: number,
  n: number,
  options: SplitQuantOptions = {},
): QuantizedLinear {
  const { parts, boundaries } = splitWeight(weight, k, n, options);
  return {
    method: 'splitquant',
    k,
    n,
    parts: parts.map((p) => quantizeRtn(p, k, n, options)),
    boundaries,
  };
}
