// The noise definition shared by the C++ CPU kernels and the CUDA kernels. It mirrors
// src/kernels/noise.ts and src/kernels/philox.ts operation for operation: the three backends
// agree bit for bit because every step is an IEEE-754 basic operation (+, -, *, /, sqrt, floor)
// evaluated in the same order, with FMA contraction disabled (-ffp-contract=off, nvcc -fmad=false).
// Do not "simplify" an expression here without changing the TypeScript twin the same way.
#pragma once

#include <cstdint>
#include <cmath>

#ifdef __CUDACC__
#define CHIMERA_HD __host__ __device__ __forceinline__
#else
#define CHIMERA_HD inline
#endif

namespace chimera {

constexpr uint32_t kDomainGaussian = 0;
constexpr uint32_t kDomainUpdateRounding = 1;
constexpr uint32_t kDomainDataRounding = 2;
constexpr uint32_t kUpdateSubseedXor = 0x9E3779B9u;

struct Words4 {
  uint32_t w[4];
};

CHIMERA_HD void mulhilo32(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  *hi = static_cast<uint32_t>(p >> 32);
  *lo = static_cast<uint32_t>(p);
}

// Philox4x32-10 (Random123): counter (c0..c3), key (k0, k1).
CHIMERA_HD Words4 philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo32(0xD2511F53u, c0, &hi0, &lo0);
    mulhilo32(0xCD9E8D57u, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0;
    uint32_t n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  Words4 r;
  r.w[0] = c0;
  r.w[1] = c1;
  r.w[2] = c2;
  r.w[3] = c3;
  return r;
}

CHIMERA_HD int clz32(uint32_t x) {
#ifdef __CUDA_ARCH__
  return __clz(static_cast<int>(x));
#else
  return x == 0 ? 32 : __builtin_clz(x);
#endif
}

// 2^-e for e in [0, 33], exactly (a product of exact powers of two).
CHIMERA_HD double pow2neg(int e) {
  double r = 1.0;
  double b = 0.5;
  while (e > 0) {
    if (e & 1) r = r * b;
    b = b * b;
    e >>= 1;
  }
  return r;
}

// ln(u) for u = (2w + 1) / 2^33; see logOpenUniform in noise.ts.
CHIMERA_HD double log_open_uniform(uint32_t w) {
  int e = w == 0 ? 0 : 32 - clz32(w);
  double m = (2.0 * static_cast<double>(w) + 1.0) * pow2neg(e);
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // Terms stop below 1e-10 relative (the result is rounded to float32); same terms as noise.ts.
  const double p = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
  return static_cast<double>(e - 33) * 0.6931471805599453 + 2.0 * s * p;
}

CHIMERA_HD double sin_poly(double x, double x2) {
  return x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0 + x2 * (-1.0 / 39916800.0))))));
}

CHIMERA_HD double cos_poly(double x2) {
  return 1.0 + x2 * (-1.0 / 2.0 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (-1.0 / 3628800.0)))));
}

// Box-Muller on two Philox words: (r cos theta, r sin theta) rounded to float32. See boxMuller in noise.ts.
CHIMERA_HD void box_muller(uint32_t w0, uint32_t w1, float* z0, float* z1) {
  const double r = sqrt(-2.0 * log_open_uniform(w0));
  const uint32_t quadrant = w1 >> 30;
  const uint32_t f = w1 & 0x3FFFFFFFu;
  const double quarter = 1.5707963267948966 * 9.313225746154785e-10;
  double c, s;
  if (f > 0x20000000u) {
    const double x = static_cast<double>(0x40000000u - f) * quarter;
    const double x2 = x * x;
    c = sin_poly(x, x2);
    s = cos_poly(x2);
  } else {
    const double x = static_cast<double>(f) * quarter;
    const double x2 = x * x;
    c = cos_poly(x2);
    s = sin_poly(x, x2);
  }
  double cos_t, sin_t;
  if (quadrant == 0) {
    cos_t = c;
    sin_t = s;
  } else if (quadrant == 1) {
    cos_t = -s;
    sin_t = c;
  } else if (quadrant == 2) {
    cos_t = -c;
    sin_t = -s;
  } else {
    cos_t = s;
    sin_t = -c;
  }
  *z0 = static_cast<float>(r * cos_t);
  *z1 = static_cast<float>(r * sin_t);
}

CHIMERA_HD double unit_from_word(uint32_t w) { return static_cast<double>(w) * 2.3283064365386963e-10; }

// The perturbation quantizer (levels = 0 means none: MeZO); see quantizerFor in noise.ts.
struct Quantizer {
  double scale;
  double zero_point;
  double levels;
};

CHIMERA_HD double stochastic_round_value(double x, const Quantizer& q, double uniform) {
  if (q.scale == 0.0) return x;
  const double t = x * q.scale + q.zero_point;
  const double fl = floor(t);
  double code = fl + (uniform < t - fl ? 1.0 : 0.0);
  if (code < 0.0) {
    code = 0.0;
  } else if (code > q.levels) {
    code = q.levels;
  }
  return (code - q.zero_point) / q.scale;
}

// The two perturbation values u of pair `pair` (SR-quantized with the perturbation's draw when
// q.levels > 0).
CHIMERA_HD void perturbation_pair(uint64_t pair, uint32_t seed, uint32_t tensor, const Quantizer& q, double* u0,
                                  double* u1) {
  const Words4 w = philox4x32(static_cast<uint32_t>(pair), static_cast<uint32_t>(pair >> 32), kDomainGaussian, 0,
                              seed, tensor);
  float z0, z1;
  box_muller(w.w[0], w.w[1], &z0, &z1);
  *u0 = z0;
  *u1 = z1;
  if (q.levels > 0.0) {
    *u0 = stochastic_round_value(*u0, q, unit_from_word(w.w[2]));
    *u1 = stochastic_round_value(*u1, q, unit_from_word(w.w[3]));
  }
}

// The update's values u2 of pair `pair`: same Gaussian, rounding from its own sub-seed.
CHIMERA_HD void update_pair(uint64_t pair, uint32_t seed, uint32_t tensor, const Quantizer& q, double* u0, double* u1) {
  const uint32_t lo = static_cast<uint32_t>(pair);
  const uint32_t hi = static_cast<uint32_t>(pair >> 32);
  const Words4 w = philox4x32(lo, hi, kDomainGaussian, 0, seed, tensor);
  float z0, z1;
  box_muller(w.w[0], w.w[1], &z0, &z1);
  *u0 = z0;
  *u1 = z1;
  if (q.levels > 0.0) {
    const Words4 r = philox4x32(lo, hi, kDomainUpdateRounding, 0, seed ^ kUpdateSubseedXor, tensor);
    *u0 = stochastic_round_value(*u0, q, unit_from_word(r.w[0]));
    *u1 = stochastic_round_value(*u1, q, unit_from_word(r.w[1]));
  }
}

CHIMERA_HD uint32_t float_bits(float x) {
#ifdef __CUDA_ARCH__
  return static_cast<uint32_t>(__float_as_uint(x));
#else
  uint32_t u;
  __builtin_memcpy(&u, &x, sizeof u);
  return u;
#endif
}

CHIMERA_HD float float_from_bits(uint32_t u) {
#ifdef __CUDA_ARCH__
  return __uint_as_float(u);
#else
  float x;
  __builtin_memcpy(&x, &u, sizeof x);
  return x;
#endif
}

// The float next to c toward +infinity (up) or -infinity.
CHIMERA_HD float step_toward(float c, bool up) {
  if (c == 0.0f) return float_from_bits(up ? 0x00000001u : 0x80000001u);
  const uint32_t b = float_bits(c);
  return float_from_bits((c > 0.0f) == up ? b + 1u : b - 1u);
}

// Exact rounding error of s = fl(x + e): (x + e) - s (Knuth's TwoSum).
CHIMERA_HD float sum_error(float x, float e, float s) {
  const float bv = s - x;
  const float av = s - bv;
  const float br = e - bv;
  const float ar = x - av;
  return ar + br;
}

// How to get a back from x = fl(a + d') by adding e = -d': 0 when fl(x + e) is a, 1 when a is
// the neighbour of fl(x + e) on the side of the rounding error, 2 when neither (ledger).
// Mirrors recoveryCode in src/kernels/typescript-kernels.ts.
CHIMERA_HD int recovery_code(float a, float x, float e) {
  const float c = x + e;
  const uint32_t ab = float_bits(a);
  if (float_bits(c) == ab && a == a) return 0;
  const float r = sum_error(x, e, c);
  if (r == 0.0f || r != r || a != a) return 2;
  return float_bits(step_toward(c, r > 0.0f)) == ab ? 1 : 2;
}

CHIMERA_HD float recover(float x, float e, int bit) {
  const float c = x + e;
  if (!bit) return c;
  return step_toward(c, sum_error(x, e, c) > 0.0f);
}

}  // namespace chimera
