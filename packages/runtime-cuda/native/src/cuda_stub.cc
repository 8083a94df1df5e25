// Linked instead of cuda_kernels.cu when the addon is built without nvcc: the CUDA entry points
// exist but report that this build has no CUDA code, so JavaScript sees a reason, not a crash.
#include "kernels.h"

namespace chimera {
namespace cuda {

namespace {
const char* const kNoCuda = "this addon was built without CUDA (see native/build/build-info.json for why)";
}

bool compiled() { return false; }

DeviceInfo probe() { return DeviceInfo{false, kNoCuda, "", 0, 0, 0, 0, 0}; }

std::string gaussian(float*, size_t, uint32_t, uint32_t, uint64_t) { return kNoCuda; }
std::string gaussian_range(uint32_t, uint32_t, uint64_t, float*, float*) { return kNoCuda; }
std::string stochastic_round(const float*, float*, uint8_t*, size_t, int, uint32_t, uint32_t, QuantizeResult*) {
  return kNoCuda;
}
std::string perturb_plus(float*, size_t, uint64_t, uint32_t, uint32_t, const Quantizer&, double, uint8_t*, uint32_t*,
                         float*, size_t*) {
  return kNoCuda;
}
std::string perturb_minus(float*, size_t, uint64_t, uint32_t, uint32_t, const Quantizer&, double, uint8_t*,
                          const uint32_t*, const float*, size_t) {
  return kNoCuda;
}
std::string perturb_restore(float*, size_t, uint64_t, uint32_t, uint32_t, const Quantizer&, double, const uint8_t*,
                            const uint32_t*, const float*, size_t) {
  return kNoCuda;
}
std::string update(float*, size_t, uint64_t, uint32_t, const UpdateDirections&, double, double) { return kNoCuda; }
std::string matmul_int4(const float*, size_t, const Int4Weights&, const LoraWeights&, float*) { return kNoCuda; }

}  // namespace cuda
}  // namespace chimera
