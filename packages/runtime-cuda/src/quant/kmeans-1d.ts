/**
 * One-dimensional k-means (Lloyd's algorithm on sorted values with prefix sums, so an iteration
 * costs O(k log n) after one sort). SplitQuantV2 clusters each layer's weights with k = 3.
 */
import { QuantError } from './quant-error';

export interface KMeans1dResult {
  /** Cluster centres, ascending. */
  centers: number[];
  /** k - 1 boundaries (midpoints of adjacent centres): value v is in cluster i when boundaries[i-1] <= v < boundaries[i]. */
  boundaries: number[];
  /** Sum of squared distances to the assigned centre. */
  inertia: number;
}

export function kmeans1d(values: ArrayLike<number>, k = 3, maxIterations = 100): KMeans1dResult {
  if (!Number.isInteger(k) || k < 1) throw new QuantError(`kmeans1d: k must be a positive integer, got ${k}`);
  if (values.length === 0) throw new QuantError('kmeans1d: no values to cluster');
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const sum = new Float64Array(n + 1);
  const sumSq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = sorted[i] as number;
    sum[i + 1] = (sum[i] as number) + v;
    sumSq[i + 1] = (sumSq[i] as number) + v * v;
  }
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.floor(q * (n - 1))))] as number;
  // Two starts: evenly spaced quantiles (suits a smooth bulk) and an even split of the value range
  // (reaches the tails at once); the lower inertia wins.
  const starts = [
    Array.from({ length: k }, (_, i) => at((i + 0.5) / k)),
    Array.from(
      { length: k },
      (_, i) => (sorted[0] as number) + (((sorted[n - 1] as number) - (sorted[0] as number)) * (i + 0.5)) / k,
    ),
  ];
  let best: KMeans1dResult | undefined;
  for (const start of starts) {
    const result = lloyd(sorted, sum, sumSq, start, maxIterations);
    if (best === undefined || result.inertia < best.inertia) best = result;
  }
  return best as KMeans1dResult;
}

function lloyd(
  sorted: Float64Array,
  sum: Float64Array,
  sumSq: Float64Array,
  start: number[],
  maxIterations: number,
): KMeans1dResult {
  const k = start.length;
  const n = sorted.length;
  let centers = [...start].sort((a, b) => a - b);
  let cuts: number[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const boundaries = centers.slice(1).map((c, i) => (c + (centers[i] as number)) / 2);
    cuts = [0, ...boundaries.map((b) => lowerBound(sorted, b)), n];
    const next = centers.map((c, i) => {
      const from = cuts[i] as number;
      const to = cuts[i + 1] as number;
      // An empty cluster keeps its centre rather than vanishing.
      return to > from ? ((sum[to] as number) - (sum[from] as number)) / (to - from) : c;
    });
    const moved = next.some((c, i) => c !== centers[i]);
    centers = next.sort((a, b) => a - b);
    if (!moved) break;
  }
  const boundaries = centers.slice(1).map((c, i) => (c + (centers[i] as number)) / 2);
  cuts = [0, ...boundaries.map((b) => lowerBound(sorted, b)), n];
  let inertia = 0;
  for (let i = 0; i < k; i++) {
    const from = cuts[i] as number;
    const to = cuts[i + 1] as number;
    const c = centers[i] as number;
    const s = (sum[to] as number) - (sum[from] as number);
    const s2 = (sumSq[to] as number) - (sumSq[from] as number);
    inertia += s2 - 2 * c * s + (to - from) * c * c;
  }
  return { centers, boundaries, inertia: Math.max(0, inertia) };
}

/** First index whose value is >= v. */
function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
