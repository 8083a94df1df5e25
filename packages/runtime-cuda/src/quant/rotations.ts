/**
 * Orthogonal rotations and how they fold into weights. A rotation R [d, d] applied to the
 * activations x of a space (x -> x R) is folded so the full-precision function does not change:
 * every weight reading that space gets W -> R^T W (rows), every tensor writing into it gets
 * W -> W R (columns). Between writer and reader only rotation-equivariant operations may sit
 * (residual adds, RMSNorm without its scale, L2 normalization): fold norm scales into readers first.
 */
import { identity, type Matrix, matmul, orthonormalizeColumns, transpose } from './linear-algebra';
import { QuantError } from './quant-error';
import { SeededRandom } from './random';

/** The normalized Sylvester-Hadamard matrix of order d (a power of two). */
export function hadamardMatrix(d: number): Float64Array {
  if (d < 1 || (d & (d - 1)) !== 0)
    throw new QuantError(`hadamardMatrix: d must be a power of two, got ${d}`);
  const h = new Float64Array(d * d);
  const scale = 1 / Math.sqrt(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      // H[i, j] = (-1)^popcount(i & j)
      let bits = i & j;
      let parity = 0;
      while (bits) {
        parity ^= 1;
        bits &= bits - 1;
      }
      h[i * d + j] = parity ? -scale : scale;
    }
  }
  return h;
}

/** A uniformly random rotation (orthonormalized Gaussian matrix). */
export function randomOrthogonal(d: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const a = Float64Array.from({ length: d * d }, () => random.normal());
  return orthonormalizeColumns(a, d);
}

/**
 * QuaRot's randomized Hadamard rotation: diag(random signs) x H. For d not a power of two,
 * d = 2^a x m, it is the Kronecker product of a signed Hadamard of order 2^a with a random
 * orthogonal matrix of order m (still orthogonal, still mixing every channel).
 */
export function randomHadamardRotation(d: number, seed: number): Float64Array {
  if (!Number.isInteger(d) || d < 1)
    throw new QuantError(`randomHadamardRotation: d must be a positive integer, got ${d}`);
  let power = 1;
  while (d % (power * 2) === 0) power *= 2;
  const rest = d / power;
  const h = hadamardMatrix(power);
  const random = new SeededRandom(seed);
  for (let i = 0; i < power; i++) {
    if (random.next() < 0.5) for (let j = 0; j < power; j++) h[i * power + j] = -(h[i * power + j] as number);
  }
  if (rest === 1) return h;
  const q = randomOrthogonal(rest, seed ^ 0x5bd1e995);
  const out = new Float64Array(d * d);
  for (let a = 0; a < power; a++)
    for (let b = 0; b < power; b++)
      for (let c = 0; c < rest; c++)
        for (let e = 0; e < rest; e++)
          out[(a * rest + c) * d + b * rest + e] = (h[a * power + b] as number) * (q[c * rest + e] as number);
  return out;
}

export { identity as identityRotation };

/** W [d, n] -> R^T W: for weights that read the rotated space (their input rows). */
export function rotateRows(weight: Float32Array, d: number, n: number, rotation: Matrix): Float32Array {
  checkRotation(rotation, d);
  if (weight.length !== d * n)
    throw new QuantError(`rotateRows: weight must be [${d}, ${n}], got ${weight.length} values`);
  const rt = transpose(Float64Array.from(rotation), d, d);
  return Float32Array.from(matmul(rt, weight, d, d, n));
}

/** W [m, d] -> W R: for tensors that write into the rotated space (embeddings, output projections, biases). */
export function rotateColumns(weight: Float32Array, m: number, d: number, rotation: Matrix): Float32Array {
  checkRotation(rotation, d);
  if (weight.length !== m * d)
    throw new QuantError(`rotateColumns: weight must be [${m}, ${d}], got ${weight.length} values`);
  return Float32Array.from(matmul(Float64Array.from(weight), rotation, m, d, d));
}

/** W [d, n] -> diag(scale) W: folds a norm's per-channel scale into the weight that reads the norm. */
export function scaleRows(weight: Float32Array, scale: ArrayLike<number>, n: number): Float32Array {
  const d = scale.length;
  if (weight.length !== d * n)
    throw new QuantError(`scaleRows: weight must be [${d}, ${n}], got ${weight.length} values`);
  const out = new Float32Array(weight.length);
  for (let i = 0; i < d; i++) {
    const s = scale[i] as number;
    for (let j = 0; j < n; j++) out[i * n + j] = (weight[i * n + j] as number) * s;
  }
  return out;
}

function checkRotation(rotation: Matrix, d: number): void {
  if (rotation.length !== d * d)
    throw new QuantError(`a rotation for d = ${d} must hold ${d * d} values, got ${rotation.length}`);
}
