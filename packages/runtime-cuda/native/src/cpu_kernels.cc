// The C++ CPU kernels: the same semantics as src/kernels/typescript-kernels.ts, bit for bit.
// Single-threaded by design: callers (the optimizer) already chunk work, and the host process
// (an agent) runs other work beside training.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"

namespace chimera {
namespace cpu {

namespace {

inline float delta_at(uint64_t index, uint32_t seed, uint32_t tensor, const Quantizer& q, double eps) {
  double u0, u1;
  perturbation_pair(index >> 1, seed, tensor, q, &u0, &u1);
  return static_cast<float>(((index & 1) ? u1 : u0) * eps);
}

// Calls fn(i, u) for every element i of [0, length) with u the perturbation value of element
// offset + i, generating one Philox block per pair.
template <typename Fn>
inline void for_each_perturbation(size_t length, uint64_t offset, uint32_t seed, uint32_t tensor, const Quantizer& q,
                                  Fn fn) {
  size_t i = 0;
  if (length == 0) return;
  if (offset & 1) {
    double u0, u1;
    perturbation_pair(offset >> 1, seed, tensor, q, &u0, &u1);
    fn(0, u1);
    i = 1;
  }
  for (; i + 1 < length; i += 2) {
    double u0, u1;
    perturbation_pair((offset + i) >> 1, seed, tensor, q, &u0, &u1);
    fn(i, u0);
    fn(i + 1, u1);
  }
  if (i < length) {
    double u0, u1;
    perturbation_pair((offset + i) >> 1, seed, tensor, q, &u0, &u1);
    fn(i, u0);
  }
}

}  // namespace

void gaussian(float* out, size_t length, uint32_t seed, uint32_t tensor, uint64_t offset) {
  Quantizer none{0.0, 0.0, 0.0};
  for_each_perturbation(length, offset, seed, tensor, none, [&](size_t i, double u) { out[i] = static_cast<float>(u); });
}

void gaussian_range(uint32_t seed, uint32_t tensor, uint64_t length, float* min_out, float* max_out) {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  const uint64_t pairs = (length + 1) / 2;
  for (uint64_t pair = 0; pair < pairs; ++pair) {
    const Words4 w = philox4x32(static_cast<uint32_t>(pair), static_cast<uint32_t>(pair >> 32), kDomainGaussian, 0,
                                seed, tensor);
    float z0, z1;
    box_muller(w.w[0], w.w[1], &z0, &z1);
    lo = std::min(lo, z0);
    hi = std::max(hi, z0);
    if (2 * pair + 1 < length) {
      lo = std::min(lo, z1);
      hi = std::max(hi, z1);
    }
  }
  *min_out = lo;
  *max_out = hi;
}

QuantizeResult stochastic_round(const float* input, float* output, uint8_t* codes, size_t length, int bits,
                                uint32_t seed, uint32_t stream) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < length; ++i) {
    const double v = input[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const Quantizer q = quantizer_for(lo, hi, bits);
  Words4 w{};
  for (size_t i = 0; i < length; ++i) {
    if ((i & 3) == 0) {
      const uint64_t block = i >> 2;
      w = philox4x32(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), kDomainDataRounding, 0, seed,
                     stream);
    }
    const double x = input[i];
    if (q.scale == 0.0) {
      output[i] = input[i];
      if (codes) codes[i] = 0;
      continue;
    }
    const double t = x * q.scale + q.zero_point;
    const double fl = std::floor(t);
    double code = fl + (unit_from_word(w.w[i & 3]) < t - fl ? 1.0 : 0.0);
    if (code < 0.0) {
      code = 0.0;
    } else if (code > q.levels) {
      code = q.levels;
    }
    output[i] = static_cast<float>((code - q.zero_point) / q.scale);
    if (codes) codes[i] = static_cast<uint8_t>(code);
  }
  return QuantizeResult{q.scale, q.zero_point, q.levels, lo, hi};
}

size_t perturb_plus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                    const Quantizer& q, double eps, uint8_t* hints, uint32_t* ledger_index, float* ledger_value) {
  size_t count = 0;
  for (size_t b = 0; b < (length + 7) / 8; ++b) hints[b] = 0;
  for_each_perturbation(length, offset, seed, tensor, q, [&](size_t i, double u) {
    const float d = static_cast<float>(u * eps);
    const float a = params[i];
    const float plus = a + d;
    const int back_from_plus = recovery_code(a, plus, -d);
    const int back_from_minus = recovery_code(a, a - d, d);
    if (back_from_plus == 2 || back_from_minus == 2) {
      ledger_index[count] = static_cast<uint32_t>(offset + i);
      ledger_value[count] = a;
      ++count;
    } else if (back_from_plus) {
      hints[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
    }
    params[i] = plus;
  });
  return count;
}

void perturb_minus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor, const Quantizer& q,
                   double eps, uint8_t* hints, const uint32_t* ledger_index, const float* ledger_value,
                   size_t ledger_count) {
  for_each_perturbation(length, offset, seed, tensor, q, [&](size_t i, double u) {
    const float d = static_cast<float>(u * eps);
    const uint8_t mask = static_cast<uint8_t>(1u << (i & 7));
    const float a = recover(params[i], -d, (hints[i >> 3] & mask) != 0);
    const float minus = a - d;
    // Ledgered elements compute garbage here; the fix-up below overwrites them.
    if (recovery_code(a, minus, d) == 1) {
      hints[i >> 3] |= mask;
    } else {
      hints[i >> 3] &= static_cast<uint8_t>(~mask);
    }
    params[i] = minus;
  });
  for (size_t e = 0; e < ledger_count; ++e) {
    const uint64_t g = ledger_index[e];
    params[g - offset] = ledger_value[e] - delta_at(g, seed, tensor, q, eps);
  }
}

void perturb_restore(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                     const Quantizer& q, double eps, const uint8_t* hints, const uint32_t* ledger_index,
                     const float* ledger_value, size_t ledger_count) {
  for_each_perturbation(length, offset, seed, tensor, q, [&](size_t i, double u) {
    const float d = static_cast<float>(u * eps);
    params[i] = recover(params[i], d, (hints[i >> 3] >> (i & 7)) & 1);
  });
  for (size_t e = 0; e < ledger_count; ++e) params[ledger_index[e] - offset] = ledger_value[e];
}

void update(float* params, size_t length, uint64_t offset, uint32_t tensor, const UpdateDirections& dirs, double lr,
            double weight_decay) {
  uint64_t cached = ~static_cast<uint64_t>(0);
  double acc0 = 0.0, acc1 = 0.0;
  for (size_t i = 0; i < length; ++i) {
    const uint64_t g = offset + i;
    const uint64_t pair = g >> 1;
    if (pair != cached) {
      cached = pair;
      acc0 = 0.0;
      acc1 = 0.0;
      for (size_t j = 0; j < dirs.count; ++j) {
        const Quantizer q{dirs.levels > 0.0 ? dirs.scales[j] : 0.0, dirs.levels > 0.0 ? dirs.zero_points[j] : 0.0,
                          dirs.levels};
        double u0, u1;
        update_pair(pair, dirs.seeds[j], tensor, q, &u0, &u1);
        acc0 = acc0 + dirs.coefficients[j] * u0;
        acc1 = acc1 + dirs.coefficients[j] * u1;
      }
    }
    const double a = params[i];
    const double acc = (g & 1) ? acc1 : acc0;
    const double step = lr * (acc + weight_decay * a);
    params[i] = static_cast<float>(a - step);
  }
}

void matmul_int4(const float* x, size_t m, const Int4Weights& w, const LoraWeights& lora, float* out) {
  const size_t k = w.k, n = w.n, bs = w.block_size;
  const size_t blocks = (k + bs - 1) / bs;
  const size_t row_bytes = blocks * (bs / 2);
  std::vector<double> hidden_store(lora.a ? lora.rank : 0);
  double* hidden = lora.a ? hidden_store.data() : nullptr;
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * k;
    if (hidden) {
      for (size_t q = 0; q < lora.rank; ++q) {
        double s = 0.0;
        for (size_t kk = 0; kk < k; ++kk) s += static_cast<double>(xr[kk]) * lora.a[kk * lora.rank + q];
        hidden[q] = s;
      }
    }
    for (size_t j = 0; j < n; ++j) {
      double acc = 0.0;
      const uint8_t* row = w.packed + j * row_bytes;
      for (size_t b = 0; b < blocks; ++b) {
        const double scale = w.scales[j * blocks + b];
        const double zero = w.zero_points ? w.zero_points[j * blocks + b] : 8.0;
        const size_t start = b * bs;
        const size_t end = std::min(k, start + bs);
        double block_sum = 0.0;
        for (size_t kk = start; kk < end; ++kk) {
          const uint8_t byte = row[kk >> 1];
          const double code = (kk & 1) ? (byte >> 4) : (byte & 0x0F);
          block_sum += static_cast<double>(xr[kk]) * (code - zero);
        }
        acc += scale * block_sum;
      }
      if (hidden) {
        double l = 0.0;
        for (size_t q = 0; q < lora.rank; ++q) l += hidden[q] * lora.b[q * n + j];
        acc += lora.scale * l;
      }
      out[r * n + j] = static_cast<float>(acc);
    }
  }
}

}  // namespace cpu
}  // namespace chimera
