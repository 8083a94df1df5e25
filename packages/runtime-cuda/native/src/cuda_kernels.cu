// CUDA kernels with the CPU kernels' exact semantics (shared math in chimera_math.h; compiled with
// -fmad=false so no multiply-add is contracted). Buffers are the caller's host memory: each call
// stages through device memory, so these entry points prove agreement and give a GPU path for
// large buffers; device-resident parameters are future work (see the package README).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "kernels.h"

namespace chimera {
namespace cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kReduceBlocks = 1024;

std::string error_text(cudaError_t err, const char* what) {
  return std::string(what) + ": " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
}

#define CHIMERA_CUDA_TRY(expr, what)              \
  do {                                            \
    cudaError_t chimera_err = (expr);             \
    if (chimera_err != cudaSuccess) {             \
      return error_text(chimera_err, what);       \
    }                                             \
  } while (0)

// Device memory owned for the duration of one call.
template <typename T>
struct DeviceBuffer {
  T* ptr = nullptr;
  size_t count = 0;
  cudaError_t alloc(size_t n) {
    count = n;
    if (n == 0) return cudaSuccess;
    return cudaMalloc(reinterpret_cast<void**>(&ptr), n * sizeof(T));
  }
  cudaError_t upload(const T* host, size_t n) {
    if (n == 0) return cudaSuccess;
    return cudaMemcpy(ptr, host, n * sizeof(T), cudaMemcpyHostToDevice);
  }
  cudaError_t download(T* host, size_t n) const {
    if (n == 0) return cudaSuccess;
    return cudaMemcpy(host, ptr, n * sizeof(T), cudaMemcpyDeviceToHost);
  }
  ~DeviceBuffer() {
    if (ptr) cudaFree(ptr);
  }
};

unsigned int grid_for(uint64_t work) {
  const uint64_t blocks = (work + kThreads - 1) / kThreads;
  return static_cast<unsigned int>(std::min<uint64_t>(std::max<uint64_t>(blocks, 1), 65535u * 16u));
}

// Pairs covering elements [offset, offset + length).
struct PairRange {
  uint64_t first;
  uint64_t count;
};

PairRange pairs_of(uint64_t offset, size_t length) {
  const uint64_t first = offset >> 1;
  const uint64_t last = (offset + length - 1) >> 1;
  return PairRange{first, last - first + 1};
}

__global__ void gaussian_kernel(float* out, size_t length, uint32_t seed, uint32_t tensor, uint64_t offset,
                                PairRange range) {
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < range.count;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t pair = range.first + t;
    const Words4 w = philox4x32(static_cast<uint32_t>(pair), static_cast<uint32_t>(pair >> 32), kDomainGaussian, 0,
                                seed, tensor);
    float z[2];
    box_muller(w.w[0], w.w[1], &z[0], &z[1]);
    for (int lane = 0; lane < 2; ++lane) {
      const uint64_t g = 2 * pair + lane;
      if (g >= offset && g < offset + length) out[g - offset] = z[lane];
    }
  }
}

__device__ void block_min_max(float lo, float hi, float* block_lo, float* block_hi) {
  __shared__ float s_lo[kThreads];
  __shared__ float s_hi[kThreads];
  s_lo[threadIdx.x] = lo;
  s_hi[threadIdx.x] = hi;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) {
      s_lo[threadIdx.x] = fminf(s_lo[threadIdx.x], s_lo[threadIdx.x + stride]);
      s_hi[threadIdx.x] = fmaxf(s_hi[threadIdx.x], s_hi[threadIdx.x + stride]);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    block_lo[blockIdx.x] = s_lo[0];
    block_hi[blockIdx.x] = s_hi[0];
  }
}

__global__ void gaussian_range_kernel(uint32_t seed, uint32_t tensor, uint64_t length, float* block_lo,
                                      float* block_hi) {
  float lo = __int_as_float(0x7f800000);
  float hi = -lo;
  const uint64_t pairs = (length + 1) / 2;
  for (uint64_t pair = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; pair < pairs;
       pair += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const Words4 w = philox4x32(static_cast<uint32_t>(pair), static_cast<uint32_t>(pair >> 32), kDomainGaussian, 0,
                                seed, tensor);
    float z0, z1;
    box_muller(w.w[0], w.w[1], &z0, &z1);
    lo = fminf(lo, z0);
    hi = fmaxf(hi, z0);
    if (2 * pair + 1 < length) {
      lo = fminf(lo, z1);
      hi = fmaxf(hi, z1);
    }
  }
  block_min_max(lo, hi, block_lo, block_hi);
}

__global__ void data_range_kernel(const float* input, size_t length, float* block_lo, float* block_hi) {
  float lo = __int_as_float(0x7f800000);
  float hi = -lo;
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < length;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    lo = fminf(lo, input[i]);
    hi = fmaxf(hi, input[i]);
  }
  block_min_max(lo, hi, block_lo, block_hi);
}

__global__ void stochastic_round_kernel(const float* input, float* output, uint8_t* codes, size_t length,
                                        Quantizer q, uint32_t seed, uint32_t stream) {
  for (uint64_t i = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; i < length;
       i += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    if (q.scale == 0.0) {
      output[i] = input[i];
      if (codes) codes[i] = 0;
      continue;
    }
    const uint64_t block = i >> 2;
    const Words4 w = philox4x32(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                                kDomainDataRounding, 0, seed, stream);
    const double t = static_cast<double>(input[i]) * q.scale + q.zero_point;
    const double fl = floor(t);
    double code = fl + (unit_from_word(w.w[i & 3]) < t - fl ? 1.0 : 0.0);
    if (code < 0.0) {
      code = 0.0;
    } else if (code > q.levels) {
      code = q.levels;
    }
    output[i] = static_cast<float>((code - q.zero_point) / q.scale);
    if (codes) codes[i] = static_cast<uint8_t>(code);
  }
}

// phase 0: plus (with ledger), 1: minus, 2: restore. One thread per hint byte (8 elements), so
// the bit-packed hints need no atomics.
__global__ void perturb_kernel(int phase, float* params, size_t length, uint64_t offset, uint32_t seed,
                               uint32_t tensor, Quantizer q, double eps, uint8_t* hints, uint32_t* ledger_index,
                               float* ledger_value, unsigned long long* ledger_count) {
  const uint64_t bytes = (length + 7) / 8;
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < bytes;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    uint8_t byte = phase == 0 ? 0 : hints[t];
    uint64_t cached = ~static_cast<uint64_t>(0);
    double u[2] = {0.0, 0.0};
    for (int bit = 0; bit < 8; ++bit) {
      const uint64_t i = 8 * t + bit;
      if (i >= length) break;
      const uint64_t g = offset + i;
      if ((g >> 1) != cached) {
        cached = g >> 1;
        perturbation_pair(cached, seed, tensor, q, &u[0], &u[1]);
      }
      const float d = static_cast<float>(u[g & 1] * eps);
      const uint8_t mask = static_cast<uint8_t>(1u << bit);
      const float x = params[i];
      if (phase == 0) {
        const float plus = __fadd_rn(x, d);
        const int back_from_plus = recovery_code(x, plus, -d);
        const int back_from_minus = recovery_code(x, __fsub_rn(x, d), d);
        if (back_from_plus == 2 || back_from_minus == 2) {
          const unsigned long long at = atomicAdd(ledger_count, 1ull);
          ledger_index[at] = static_cast<uint32_t>(g);
          ledger_value[at] = x;
        } else if (back_from_plus) {
          byte |= mask;
        }
        params[i] = plus;
      } else if (phase == 1) {
        const float a = recover(x, -d, (byte & mask) != 0);
        const float minus = __fsub_rn(a, d);
        if (recovery_code(a, minus, d) == 1) {
          byte |= mask;
        } else {
          byte &= static_cast<uint8_t>(~mask);
        }
        params[i] = minus;
      } else {
        params[i] = recover(x, d, (byte & mask) != 0);
      }
    }
    if (phase != 2) hints[t] = byte;
  }
}

__global__ void ledger_fixup_kernel(int phase, float* params, uint64_t offset, uint32_t seed, uint32_t tensor,
                                    Quantizer q, double eps, const uint32_t* ledger_index, const float* ledger_value,
                                    size_t count) {
  for (uint64_t e = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; e < count;
       e += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t g = ledger_index[e];
    if (phase == 1) {
      double u0, u1;
      perturbation_pair(g >> 1, seed, tensor, q, &u0, &u1);
      const float d = static_cast<float>(((g & 1) ? u1 : u0) * eps);
      params[g - offset] = __fsub_rn(ledger_value[e], d);
    } else {
      params[g - offset] = ledger_value[e];
    }
  }
}

__global__ void update_kernel(float* params, size_t length, uint64_t offset, uint32_t tensor, size_t directions,
                              const uint32_t* seeds, const double* coefficients, const double* scales,
                              const double* zero_points, double levels, double lr, double weight_decay,
                              PairRange range) {
  for (uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x; t < range.count;
       t += static_cast<uint64_t>(gridDim.x) * blockDim.x) {
    const uint64_t pair = range.first + t;
    double acc[2] = {0.0, 0.0};
    for (size_t j = 0; j < directions; ++j) {
      const Quantizer q{levels > 0.0 ? scales[j] : 0.0, levels > 0.0 ? zero_points[j] : 0.0, levels};
      double u0, u1;
      update_pair(pair, seeds[j], tensor, q, &u0, &u1);
      acc[0] = __dadd_rn(acc[0], __dmul_rn(coefficients[j], u0));
      acc[1] = __dadd_rn(acc[1], __dmul_rn(coefficients[j], u1));
    }
    for (int lane = 0; lane < 2; ++lane) {
      const uint64_t g = 2 * pair + lane;
      if (g < offset || g >= offset + length) continue;
      float* p = params + (g - offset);
      const double a = *p;
      const double step = __dmul_rn(lr, __dadd_rn(acc[lane], __dmul_rn(weight_decay, a)));
      *p = __double2float_rn(__dsub_rn(a, step));
    }
  }
}

__global__ void lora_hidden_kernel(const float* x, size_t m, size_t k, const float* a, size_t rank, float* hidden) {
  const uint64_t t = blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x;
  if (t >= m * rank) return;
  const size_t r = t / rank, q = t % rank;
  float s = 0.0f;
  for (size_t kk = 0; kk < k; ++kk) s = __fadd_rn(s, __fmul_rn(x[r * k + kk], a[kk * rank + q]));
  hidden[t] = s;
}

// One warp per output (row r, column j); lanes stride over the packed bytes of column j.
__global__ void matmul_int4_kernel(const float* x, size_t m, size_t k, size_t n, size_t block_size,
                                   const uint8_t* packed, const float* scales, const uint8_t* zero_points,
                                   const float* hidden, const float* lora_b, size_t rank, float lora_scale,
                                   float* out) {
  const uint64_t warp = (blockIdx.x * static_cast<uint64_t>(blockDim.x) + threadIdx.x) / 32;
  const int lane = threadIdx.x & 31;
  if (warp >= m * n) return;
  const size_t r = warp / n, j = warp % n;
  const size_t blocks = (k + block_size - 1) / block_size;
  const size_t row_bytes = blocks * (block_size / 2);
  const uint8_t* row = packed + j * row_bytes;
  const float* xr = x + r * k;
  float acc = 0.0f;
  for (size_t byte = lane; byte < row_bytes; byte += 32) {
    const size_t kk = 2 * byte;
    if (kk >= k) break;
    const size_t b = kk / block_size;
    const float scale = scales[j * blocks + b];
    const float zero = zero_points ? static_cast<float>(zero_points[j * blocks + b]) : 8.0f;
    const uint8_t v = row[byte];
    float s = __fmul_rn(xr[kk], static_cast<float>(v & 0x0F) - zero);
    if (kk + 1 < k) s = __fadd_rn(s, __fmul_rn(xr[kk + 1], static_cast<float>(v >> 4) - zero));
    acc = __fadd_rn(acc, __fmul_rn(scale, s));
  }
  for (int off = 16; off > 0; off >>= 1) acc += __shfl_down_sync(0xffffffffu, acc, off);
  if (lane == 0) {
    if (hidden) {
      float l = 0.0f;
      for (size_t q = 0; q < rank; ++q) l = __fadd_rn(l, __fmul_rn(hidden[r * rank + q], lora_b[q * n + j]));
      acc = __fadd_rn(acc, __fmul_rn(lora_scale, l));
    }
    out[r * n + j] = acc;
  }
}

__global__ void probe_kernel(float* out) {
  float z0, z1;
  const Words4 w = philox4x32(0, 0, 0, 0, 0, 0);
  box_muller(w.w[0], w.w[1], &z0, &z1);
  out[0] = z0;
  out[1] = z1;
}

std::string finish(const char* what) {
  CHIMERA_CUDA_TRY(cudaGetLastError(), what);
  CHIMERA_CUDA_TRY(cudaDeviceSynchronize(), what);
  return std::string();
}

std::string reduce_range(const DeviceBuffer<float>& lo, const DeviceBuffer<float>& hi, float* min_out,
                         float* max_out) {
  std::vector<float> h_lo(kReduceBlocks), h_hi(kReduceBlocks);
  CHIMERA_CUDA_TRY(lo.download(h_lo.data(), kReduceBlocks), "copy range");
  CHIMERA_CUDA_TRY(hi.download(h_hi.data(), kReduceBlocks), "copy range");
  float a = std::numeric_limits<float>::infinity();
  float b = -a;
  for (int i = 0; i < kReduceBlocks; ++i) {
    a = std::min(a, h_lo[i]);
    b = std::max(b, h_hi[i]);
  }
  *min_out = a;
  *max_out = b;
  return std::string();
}

}  // namespace

bool compiled() { return true; }

DeviceInfo probe() {
  static bool done = false;
  static DeviceInfo info;
  if (done) return info;
  done = true;
  info = DeviceInfo{false, "", "", 0, 0, 0, 0, 0};
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaDriverGetVersion(&info.driver_version);
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    info.reason = std::string("no CUDA device: ") + error_text(err, "cudaGetDeviceCount");
    cudaGetLastError();
    return info;
  }
  if (count == 0) {
    info.reason = "no CUDA device: cudaGetDeviceCount found 0 devices";
    return info;
  }
  cudaDeviceProp prop;
  err = cudaGetDeviceProperties(&prop, 0);
  if (err != cudaSuccess) {
    info.reason = error_text(err, "cudaGetDeviceProperties");
    cudaGetLastError();
    return info;
  }
  info.name = prop.name;
  info.major = prop.major;
  info.minor = prop.minor;
  info.total_memory = prop.totalGlobalMem;
  DeviceBuffer<float> probe_out;
  err = probe_out.alloc(2);
  if (err == cudaSuccess) {
    probe_kernel<<<1, 1>>>(probe_out.ptr);
    err = cudaGetLastError();
    if (err == cudaSuccess) err = cudaDeviceSynchronize();
  }
  if (err != cudaSuccess) {
    char arch[64];
    std::snprintf(arch, sizeof arch, " on sm_%d%d (built for sm_90, sm_120 and compute_120 PTX)", prop.major,
                  prop.minor);
    info.reason = error_text(err, "probe kernel") + arch;
    cudaGetLastError();
    return info;
  }
  info.available = true;
  return info;
}

std::string gaussian(float* out, size_t length, uint32_t seed, uint32_t tensor, uint64_t offset) {
  if (length == 0) return std::string();
  DeviceBuffer<float> d_out;
  CHIMERA_CUDA_TRY(d_out.alloc(length), "cudaMalloc");
  const PairRange range = pairs_of(offset, length);
  gaussian_kernel<<<grid_for(range.count), kThreads>>>(d_out.ptr, length, seed, tensor, offset, range);
  std::string e = finish("gaussian kernel");
  if (!e.empty()) return e;
  CHIMERA_CUDA_TRY(d_out.download(out, length), "copy gaussian");
  return std::string();
}

std::string gaussian_range(uint32_t seed, uint32_t tensor, uint64_t length, float* min_out, float* max_out) {
  DeviceBuffer<float> lo, hi;
  CHIMERA_CUDA_TRY(lo.alloc(kReduceBlocks), "cudaMalloc");
  CHIMERA_CUDA_TRY(hi.alloc(kReduceBlocks), "cudaMalloc");
  gaussian_range_kernel<<<kReduceBlocks, kThreads>>>(seed, tensor, length, lo.ptr, hi.ptr);
  std::string e = finish("gaussian range kernel");
  if (!e.empty()) return e;
  return reduce_range(lo, hi, min_out, max_out);
}

std::string stochastic_round(const float* input, float* output, uint8_t* codes, size_t length, int bits,
                             uint32_t seed, uint32_t stream, QuantizeResult* result) {
  DeviceBuffer<float> d_in, d_out, lo, hi;
  DeviceBuffer<uint8_t> d_codes;
  CHIMERA_CUDA_TRY(d_in.alloc(length), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_out.alloc(length), "cudaMalloc");
  CHIMERA_CUDA_TRY(lo.alloc(kReduceBlocks), "cudaMalloc");
  CHIMERA_CUDA_TRY(hi.alloc(kReduceBlocks), "cudaMalloc");
  if (codes) CHIMERA_CUDA_TRY(d_codes.alloc(length), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_in.upload(input, length), "copy input");
  data_range_kernel<<<kReduceBlocks, kThreads>>>(d_in.ptr, length, lo.ptr, hi.ptr);
  std::string e = finish("range kernel");
  if (!e.empty()) return e;
  float mn = 0, mx = 0;
  e = reduce_range(lo, hi, &mn, &mx);
  if (!e.empty()) return e;
  const double dmin = length ? static_cast<double>(mn) : std::numeric_limits<double>::infinity();
  const double dmax = length ? static_cast<double>(mx) : -std::numeric_limits<double>::infinity();
  const Quantizer q = quantizer_for(dmin, dmax, bits);
  stochastic_round_kernel<<<grid_for(length), kThreads>>>(d_in.ptr, d_out.ptr, codes ? d_codes.ptr : nullptr, length,
                                                          q, seed, stream);
  e = finish("stochastic round kernel");
  if (!e.empty()) return e;
  CHIMERA_CUDA_TRY(d_out.download(output, length), "copy output");
  if (codes) CHIMERA_CUDA_TRY(d_codes.download(codes, length), "copy codes");
  *result = QuantizeResult{q.scale, q.zero_point, q.levels, dmin, dmax};
  return std::string();
}

namespace {
std::string perturb_phase(int phase, float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                          const Quantizer& q, double eps, uint8_t* hints, uint32_t* ledger_index, float* ledger_value,
                          size_t* ledger_count) {
  if (length == 0) {
    if (phase == 0) *ledger_count = 0;
    return std::string();
  }
  const size_t hint_bytes = (length + 7) / 8;
  DeviceBuffer<float> d_params, d_ledger_value;
  DeviceBuffer<uint32_t> d_ledger_index;
  DeviceBuffer<uint8_t> d_hints;
  DeviceBuffer<unsigned long long> d_count;
  CHIMERA_CUDA_TRY(d_params.alloc(length), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_params.upload(params, length), "copy params");
  CHIMERA_CUDA_TRY(d_hints.alloc(hint_bytes), "cudaMalloc");
  if (phase != 0) CHIMERA_CUDA_TRY(d_hints.upload(hints, hint_bytes), "copy hints");
  const size_t ledger_cap = phase == 0 ? length : *ledger_count;
  CHIMERA_CUDA_TRY(d_ledger_index.alloc(ledger_cap), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_ledger_value.alloc(ledger_cap), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_count.alloc(1), "cudaMalloc");
  CHIMERA_CUDA_TRY(cudaMemset(d_count.ptr, 0, sizeof(unsigned long long)), "cudaMemset");
  if (phase != 0) {
    CHIMERA_CUDA_TRY(d_ledger_index.upload(ledger_index, ledger_cap), "copy ledger");
    CHIMERA_CUDA_TRY(d_ledger_value.upload(ledger_value, ledger_cap), "copy ledger");
  }
  perturb_kernel<<<grid_for(hint_bytes), kThreads>>>(phase, d_params.ptr, length, offset, seed, tensor, q, eps,
                                                     d_hints.ptr, d_ledger_index.ptr, d_ledger_value.ptr, d_count.ptr);
  std::string e = finish("perturb kernel");
  if (!e.empty()) return e;
  if (phase != 0 && ledger_cap > 0) {
    ledger_fixup_kernel<<<grid_for(ledger_cap), kThreads>>>(phase, d_params.ptr, offset, seed, tensor, q, eps,
                                                            d_ledger_index.ptr, d_ledger_value.ptr, ledger_cap);
    e = finish("ledger kernel");
    if (!e.empty()) return e;
  }
  CHIMERA_CUDA_TRY(d_params.download(params, length), "copy params");
  if (phase != 2) CHIMERA_CUDA_TRY(d_hints.download(hints, hint_bytes), "copy hints");
  if (phase == 0) {
    unsigned long long count = 0;
    CHIMERA_CUDA_TRY(cudaMemcpy(&count, d_count.ptr, sizeof count, cudaMemcpyDeviceToHost), "copy ledger count");
    CHIMERA_CUDA_TRY(d_ledger_index.download(ledger_index, count), "copy ledger");
    CHIMERA_CUDA_TRY(d_ledger_value.download(ledger_value, count), "copy ledger");
    *ledger_count = static_cast<size_t>(count);
  }
  return std::string();
}
}  // namespace

std::string perturb_plus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                         const Quantizer& q, double eps, uint8_t* hints, uint32_t* ledger_index, float* ledger_value,
                         size_t* ledger_count) {
  return perturb_phase(0, params, length, offset, seed, tensor, q, eps, hints, ledger_index, ledger_value,
                       ledger_count);
}

std::string perturb_minus(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                          const Quantizer& q, double eps, uint8_t* hints, const uint32_t* ledger_index,
                          const float* ledger_value, size_t ledger_count) {
  size_t count = ledger_count;
  return perturb_phase(1, params, length, offset, seed, tensor, q, eps, hints, const_cast<uint32_t*>(ledger_index),
                       const_cast<float*>(ledger_value), &count);
}

std::string perturb_restore(float* params, size_t length, uint64_t offset, uint32_t seed, uint32_t tensor,
                            const Quantizer& q, double eps, const uint8_t* hints, const uint32_t* ledger_index,
                            const float* ledger_value, size_t ledger_count) {
  size_t count = ledger_count;
  return perturb_phase(2, params, length, offset, seed, tensor, q, eps, const_cast<uint8_t*>(hints),
                       const_cast<uint32_t*>(ledger_index), const_cast<float*>(ledger_value), &count);
}

std::string update(float* params, size_t length, uint64_t offset, uint32_t tensor, const UpdateDirections& dirs,
                   double lr, double weight_decay) {
  if (length == 0) return std::string();
  DeviceBuffer<float> d_params;
  DeviceBuffer<uint32_t> d_seeds;
  DeviceBuffer<double> d_coef, d_scales, d_zeros;
  const size_t nd = dirs.count;
  CHIMERA_CUDA_TRY(d_params.alloc(length), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_seeds.alloc(nd), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_coef.alloc(nd), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_scales.alloc(nd), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_zeros.alloc(nd), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_params.upload(params, length), "copy params");
  CHIMERA_CUDA_TRY(d_seeds.upload(dirs.seeds, nd), "copy directions");
  CHIMERA_CUDA_TRY(d_coef.upload(dirs.coefficients, nd), "copy directions");
  CHIMERA_CUDA_TRY(d_scales.upload(dirs.scales, nd), "copy directions");
  CHIMERA_CUDA_TRY(d_zeros.upload(dirs.zero_points, nd), "copy directions");
  const PairRange range = pairs_of(offset, length);
  update_kernel<<<grid_for(range.count), kThreads>>>(d_params.ptr, length, offset, tensor, nd, d_seeds.ptr,
                                                     d_coef.ptr, d_scales.ptr, d_zeros.ptr, dirs.levels, lr,
                                                     weight_decay, range);
  std::string e = finish("update kernel");
  if (!e.empty()) return e;
  CHIMERA_CUDA_TRY(d_params.download(params, length), "copy params");
  return std::string();
}

std::string matmul_int4(const float* x, size_t m, const Int4Weights& w, const LoraWeights& lora, float* out) {
  // An empty product: nothing to compute (a zero-block launch is an error in CUDA).
  if (m == 0 || w.n == 0) return "";
  const size_t blocks = (w.k + w.block_size - 1) / w.block_size;
  const size_t row_bytes = blocks * (w.block_size / 2);
  DeviceBuffer<float> d_x, d_scales, d_out, d_a, d_b, d_hidden;
  DeviceBuffer<uint8_t> d_packed, d_zeros;
  CHIMERA_CUDA_TRY(d_x.alloc(m * w.k), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_out.alloc(m * w.n), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_packed.alloc(w.n * row_bytes), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_scales.alloc(w.n * blocks), "cudaMalloc");
  CHIMERA_CUDA_TRY(d_x.upload(x, m * w.k), "copy x");
  CHIMERA_CUDA_TRY(d_packed.upload(w.packed, w.n * row_bytes), "copy weights");
  CHIMERA_CUDA_TRY(d_scales.upload(w.scales, w.n * blocks), "copy scales");
  if (w.zero_points) {
    CHIMERA_CUDA_TRY(d_zeros.alloc(w.n * blocks), "cudaMalloc");
    CHIMERA_CUDA_TRY(d_zeros.upload(w.zero_points, w.n * blocks), "copy zero points");
  }
  if (lora.a) {
    CHIMERA_CUDA_TRY(d_a.alloc(w.k * lora.rank), "cudaMalloc");
    CHIMERA_CUDA_TRY(d_b.alloc(lora.rank * w.n), "cudaMalloc");
    CHIMERA_CUDA_TRY(d_hidden.alloc(m * lora.rank), "cudaMalloc");
    CHIMERA_CUDA_TRY(d_a.upload(lora.a, w.k * lora.rank), "copy lora A");
    CHIMERA_CUDA_TRY(d_b.upload(lora.b, lora.rank * w.n), "copy lora B");
    lora_hidden_kernel<<<grid_for(m * lora.rank), kThreads>>>(d_x.ptr, m, w.k, d_a.ptr, lora.rank, d_hidden.ptr);
    std::string e = finish("lora kernel");
    if (!e.empty()) return e;
  }
  const uint64_t threads = m * w.n * 32;
  const unsigned int grid = static_cast<unsigned int>((threads + kThreads - 1) / kThreads);
  matmul_int4_kernel<<<grid, kThreads>>>(d_x.ptr, m, w.k, w.n, w.block_size, d_packed.ptr, d_scales.ptr,
                                         w.zero_points ? d_zeros.ptr : nullptr, lora.a ? d_hidden.ptr : nullptr,
                                         lora.a ? d_b.ptr : nullptr, lora.rank, static_cast<float>(lora.scale),
                                         d_out.ptr);
  std::string e = finish("matmul kernel");
  if (!e.empty()) return e;
  CHIMERA_CUDA_TRY(d_out.download(out, m * w.n), "copy output");
  return std::string();
}

}  // namespace cuda
}  // namespace chimera
