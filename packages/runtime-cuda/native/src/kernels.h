// Kernel entry points shared by the CPU implementation (cpu_kernels.cc) and the CUDA one
// (cuda_kernels.cu). Pointers are host memory owned by JavaScript typed arrays; the CUDA versions
// stage through device memory. Every function mirrors a method of KernelSet in
// src/kernels/kernel-set.ts; see there for the contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "chimera_math.h"

namespace chimera {

struct QuantizeResult {
  double scale;
  double zero_point;
  double levels;
  double min;
  double max;
};

struct UpdateDirections {
  size_t count;
  const uint32_t* seeds;
  const double* coefficients;
  const double* scales;       // per direction quantizer scale (unused when levels == 0)
  const double* zero_points;  // per direction quantizer zero point
  double levels;              // 0 = full precision (MeZO)
};

struct Int4Weights {
  size_t k;
  size_t n;
  size_t block_size;
  const uint8_t* packed;
  const float* scales;
  const uint8_t* zero_points;  // may be null (zero point 8)
};

struct LoraWeights {
  const float* a;  // [k, rank], null when absent
  const float* b;  // [rank, n]
  size_t rank;
  double scale;
};

// Quantizer of a buffer with the given range (mirrors quantizerFor in noise.ts).
inline Quantizer quantizer_for(double min, double max, int bits) {
  Quantizer q;
  q.levels = static_cast<double>((1u << bits) - 1u);
  if (!(max > min)) {
    q.scale = 0.0;
    q.zero_point = 0.0;
    return q;
  }
  q.scale = q.levels / (max - min);
  q.zero_point = -q.scale * min;
  return q;
}

namespace cpu {
void gaussian(float* out, size_t length, uint32_t seed, uint32_t tensor, uint64_t offset);
void gaussian_range(uint32_t seed, uint32_t tensor, uint64_t length, float* min, float* max);
QuantizeResult stochastic_round(const float* input, float* output, uint8_t* codes, size_t length, int bits,
                                uint32_t seed, uint32_t stream);
// `hints` holds one bit per element of params (bit i & 7 of byte i >> 3): the recovery bit of
// chimera_math.h's recovery_code. The ledger keeps the elements whose bit is not enough.
size_t perturb_plus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                    const Quantizer& q, double eps, uint8_t* hints, uint32_t* ledger_index, float* ledger_value);
void perturb_minus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor, const Quantizer& q,
                   double eps, uint8_t* hints, const uint32_t* ledger_index, const float* ledger_value,
                   size_t ledger_count);
void perturb_restore(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                     const Quantizer& q, double eps, const uint8_t* hints, const uint32_t* ledger_index,
                     const float* ledger_value, size_t ledger_count);
void update(float* params, size_t length, uint64_t offset, uint32_t tensor, const UpdateDirections& dirs, double lr,
            double weight_decay);
void matmul_int4(const float* x, size_t m, const Int4Weights& w, const LoraWeights& lora, float* out);
}  // namespace cpu

namespace cuda {
struct DeviceInfo {
  bool available;
  std::string reason;
  std::string name;
  int major;
  int minor;
  size_t total_memory;
  int runtime_version;
  int driver_version;
};
// Whether this build contains CUDA code at all.
bool compiled();
// Probes the device once (count, properties, a test kernel); never throws.
DeviceInfo probe();
// Each returns an empty string on success, else the CUDA error text.
std::string gaussian(float* out, size_t length, uint32_t seed, uint32_t tensor, uint64_t offset);
std::string gaussian_range(uint32_t seed, uint32_t tensor, uint64_t length, float* min, float* max);
std::string stochastic_round(const float* input, float* output, uint8_t* codes, size_t length, int bits,
                             uint32_t seed, uint32_t stream, QuantizeResult* result);
std::string perturb_plus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                         const Quantizer& q, double eps, uint8_t* hints, uint32_t* ledger_index, float* ledger_value,
                         size_t* ledger_count);
std::string perturb_minus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                          const Quantizer& q, double eps, uint8_t* hints, const uint32_t* ledger_index,
                          const float* ledger_value, size_t ledger_count);
std::string perturb_restore(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                            const Quantizer& q, double eps, const uint8_t* hints, const uint32_t* ledger_index,
                            const float* ledger_value, size_t ledger_count);
std::string update(float* params, size_t length, uint64_t offset, uint32_t tensor, const UpdateDirections& dirs,
                   double lr, double weight_decay);
std::string matmul_int4(const float* x, size_t m, const Int4Weights& w, const LoraWeights& lora, float* out);
}  // namespace cuda

}  // namespace chimera
