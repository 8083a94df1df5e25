/**
 * Philox4x32-10 (Salmon et al., SC'11), the counter-based generator cuRAND, JAX and PyTorch use.
 * A counter-based generator maps (key, counter) to random words with no state, so every element of
 * a perturbation can be regenerated independently, in any order, on any backend: the TypeScript,
 * C++ and CUDA kernels share this exact definition (native/src/chimera_math.h) and agree bit for bit.
 *
 * JavaScript has no 32x32->64 multiply, so the high word comes from two exact float64 products
 * (each below 2^53) of 16-bit halves of the multiplier.
 */

const M0 = 0xd2511f53;
const M0_LO = M0 & 0xffff;
const M0_HI = M0 >>> 16;
const M1 = 0xcd9e8d57;
const M1_LO = M1 & 0xffff;
const M1_HI = M1 >>> 16;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of a * (mHi * 2^16 + mLo), a < 2^32. Both partial products are exact in float64. */
function mulHi(a: number, mLo: number, mHi: number): number {
  const low = a * mLo;
  const mid = a * mHi + Math.floor(low / 65536);
  return Math.floor(mid / 65536);
}

/**
 * Philox4x32-10 of counter (c0..c3) under key (k0, k1), written to `out[0..3]` as unsigned words.
 * Inputs are taken modulo 2^32. Writing into a caller's array keeps hot loops allocation-free.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array | number[],
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(x0, M0_LO, M0_HI);
    const lo0 = Math.imul(x0, M0) >>> 0;
    const hi1 = mulHi(x2, M1_LO, M1_HI);
    const lo1 = Math.imul(x2, M1) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}
