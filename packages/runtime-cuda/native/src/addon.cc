// N-API bindings of the kernels: `cpu` and `cuda` objects with identical functions, plus
// `cudaProbe()` describing the device (or why there is none). Arguments are checked here as well
// as in src/native/native-kernels.ts, so a wrong call throws a TypeError instead of crashing.
#include <napi.h>

#include <string>

#include "kernels.h"

namespace {

using chimera::Quantizer;

template <typename Array>
struct ElementType;
template <>
struct ElementType<Napi::Float32Array> {
  static constexpr napi_typedarray_type value = napi_float32_array;
};
template <>
struct ElementType<Napi::Float64Array> {
  static constexpr napi_typedarray_type value = napi_float64_array;
};
template <>
struct ElementType<Napi::Uint32Array> {
  static constexpr napi_typedarray_type value = napi_uint32_array;
};
template <>
struct ElementType<Napi::Uint8Array> {
  static constexpr napi_typedarray_type value = napi_uint8_array;
};

template <typename Array>
Array typed(const Napi::CallbackInfo& info, size_t i, const char* name, bool optional = false) {
  const Napi::Value v = info[i];
  if (optional && (v.IsNull() || v.IsUndefined())) return Array();
  if (!v.IsTypedArray()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a typed array");
  const Napi::TypedArray t = v.As<Napi::TypedArray>();
  if (t.TypedArrayType() != ElementType<Array>::value) throw Napi::TypeError::New(info.Env(), std::string(name) + " has the wrong element type");
  return v.As<Array>();
}

double number(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

uint32_t u32(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().Uint32Value();
}

uint64_t u64(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double v = number(info, i, name);
  // A safe integer: 1.5 must not run as 1, and 2^64 must not wrap.
  if (!(v >= 0) || v > 9007199254740991.0 || v != static_cast<double>(static_cast<uint64_t>(v))) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an integer in [0, 2^53)");
  }
  return static_cast<uint64_t>(v);
}

void check_cuda(const Napi::Env& env, const std::string& err) {
  if (!err.empty()) throw Napi::Error::New(env, "CUDA kernel failed: " + err);
}

Quantizer quantizer_args(const Napi::CallbackInfo& info, size_t at) {
  return Quantizer{number(info, at, "quantizer scale"), number(info, at + 1, "quantizer zero point"),
                   number(info, at + 2, "quantizer levels")};
}

template <bool Cuda>
Napi::Value Gaussian(const Napi::CallbackInfo& info) {
  auto out = typed<Napi::Float32Array>(info, 0, "out");
  const uint32_t seed = u32(info, 1, "seed"), tensor = u32(info, 2, "tensor");
  const uint64_t offset = u64(info, 3, "offset");
  if (Cuda) {
    check_cuda(info.Env(), chimera::cuda::gaussian(out.Data(), out.ElementLength(), seed, tensor, offset));
  } else {
    chimera::cpu::gaussian(out.Data(), out.ElementLength(), seed, tensor, offset);
  }
  return info.Env().Undefined();
}

template <bool Cuda>
Napi::Value GaussianRange(const Napi::CallbackInfo& info) {
  const uint32_t seed = u32(info, 0, "seed"), tensor = u32(info, 1, "tensor");
  const uint64_t length = u64(info, 2, "length");
  float mn = 0, mx = 0;
  if (Cuda) {
    check_cuda(info.Env(), chimera::cuda::gaussian_range(seed, tensor, length, &mn, &mx));
  } else {
    chimera::cpu::gaussian_range(seed, tensor, length, &mn, &mx);
  }
  Napi::Array r = Napi::Array::New(info.Env(), 2);
  r.Set(0u, Napi::Number::New(info.Env(), mn));
  r.Set(1u, Napi::Number::New(info.Env(), mx));
  return r;
}

template <bool Cuda>
Napi::Value StochasticRound(const Napi::CallbackInfo& info) {
  auto input = typed<Napi::Float32Array>(info, 0, "input");
  auto output = typed<Napi::Float32Array>(info, 1, "output");
  const int bits = static_cast<int>(u32(info, 2, "bits"));
  const uint32_t seed = u32(info, 3, "seed"), stream = u32(info, 4, "stream");
  auto codes = typed<Napi::Uint8Array>(info, 5, "codes", true);
  const size_t n = input.ElementLength();
  if (output.ElementLength() != n || (!codes.IsEmpty() && codes.ElementLength() != n)) {
    throw Napi::RangeError::New(info.Env(), "output and codes must have the input's length");
  }
  if (bits < 1 || bits > 8) throw Napi::RangeError::New(info.Env(), "bits must be in 1..8");
  uint8_t* codes_ptr = codes.IsEmpty() ? nullptr : codes.Data();
  chimera::QuantizeResult r{};
  if (Cuda) {
    check_cuda(info.Env(), chimera::cuda::stochastic_round(input.Data(), output.Data(), codes_ptr, n, bits, seed, stream, &r));
  } else {
    r = chimera::cpu::stochastic_round(input.Data(), output.Data(), codes_ptr, n, bits, seed, stream);
  }
  Napi::Array a = Napi::Array::New(info.Env(), 5);
  a.Set(0u, Napi::Number::New(info.Env(), r.scale));
  a.Set(1u, Napi::Number::New(info.Env(), r.zero_point));
  a.Set(2u, Napi::Number::New(info.Env(), r.levels));
  a.Set(3u, Napi::Number::New(info.Env(), r.min));
  a.Set(4u, Napi::Number::New(info.Env(), r.max));
  return a;
}

// perturb(params, offset, seed, tensor, qScale, qZero, qLevels, eps, hints, ledgerIndex, ledgerValue[, count])
template <bool Cuda, int Phase>
Napi::Value Perturb(const Napi::CallbackInfo& info) {
  auto params = typed<Napi::Float32Array>(info, 0, "params");
  const uint64_t offset = u64(info, 1, "offset");
  const uint32_t seed = u32(info, 2, "seed"), tensor = u32(info, 3, "tensor");
  const Quantizer q = quantizer_args(info, 4);
  const double eps = number(info, 7, "eps");
  auto hints = typed<Napi::Uint8Array>(info, 8, "hints");
  auto ledger_index = typed<Napi::Uint32Array>(info, 9, "ledgerIndex");
  auto ledger_value = typed<Napi::Float32Array>(info, 10, "ledgerValue");
  const size_t n = params.ElementLength();
  // Ledger entries are 32-bit positions: a range past 2^32 would wrap them and lose the restore.
  if (offset + n > (uint64_t{1} << 32)) {
    throw Napi::RangeError::New(info.Env(), "offset + params.length must be <= 2^32 (ledger positions are 32-bit)");
  }
  if (hints.ElementLength() < (n + 7) / 8) {
    throw Napi::RangeError::New(info.Env(), "hints must hold ceil(params.length / 8) bytes");
  }
  if (Phase == 0) {
    if (ledger_index.ElementLength() < n || ledger_value.ElementLength() < n) {
      throw Napi::RangeError::New(info.Env(), "ledger arrays must have room for params.length entries");
    }
    size_t count = 0;
    if (Cuda) {
      check_cuda(info.Env(), chimera::cuda::perturb_plus(params.Data(), n, offset, seed, tensor, q, eps, hints.Data(),
                                                         ledger_index.Data(), ledger_value.Data(), &count));
    } else {
      count = chimera::cpu::perturb_plus(params.Data(), n, offset, seed, tensor, q, eps, hints.Data(),
                                         ledger_index.Data(), ledger_value.Data());
    }
    return Napi::Number::New(info.Env(), static_cast<double>(count));
  }
  const uint64_t count = u64(info, 11, "ledgerCount");
  if (ledger_index.ElementLength() < count || ledger_value.ElementLength() < count) {
    throw Napi::RangeError::New(info.Env(), "ledgerCount exceeds the ledger arrays");
  }
  for (size_t e = 0; e < count; ++e) {
    const uint64_t g = ledger_index.Data()[e];
    if (g < offset || g >= offset + n) throw Napi::RangeError::New(info.Env(), "ledger entry outside this range");
  }
  if (Phase == 1) {
    if (Cuda) {
      check_cuda(info.Env(), chimera::cuda::perturb_minus(params.Data(), n, offset, seed, tensor, q, eps, hints.Data(),
                                                          ledger_index.Data(), ledger_value.Data(), count));
    } else {
      chimera::cpu::perturb_minus(params.Data(), n, offset, seed, tensor, q, eps, hints.Data(), ledger_index.Data(),
                                  ledger_value.Data(), count);
    }
  } else {
    if (Cuda) {
      check_cuda(info.Env(), chimera::cuda::perturb_restore(params.Data(), n, offset, seed, tensor, q, eps,
                                                            hints.Data(), ledger_index.Data(), ledger_value.Data(),
                                                            count));
    } else {
      chimera::cpu::perturb_restore(params.Data(), n, offset, seed, tensor, q, eps, hints.Data(), ledger_index.Data(),
                                    ledger_value.Data(), count);
    }
  }
  return info.Env().Undefined();
}

// update(params, offset, tensor, seeds, coefficients, scales, zeroPoints, levels, lr, weightDecay)
template <bool Cuda>
Napi::Value Update(const Napi::CallbackInfo& info) {
  auto params = typed<Napi::Float32Array>(info, 0, "params");
  const uint64_t offset = u64(info, 1, "offset");
  const uint32_t tensor = u32(info, 2, "tensor");
  auto seeds = typed<Napi::Uint32Array>(info, 3, "seeds");
  auto coef = typed<Napi::Float64Array>(info, 4, "coefficients");
  auto scales = typed<Napi::Float64Array>(info, 5, "scales");
  auto zeros = typed<Napi::Float64Array>(info, 6, "zeroPoints");
  const size_t nd = seeds.ElementLength();
  if (coef.ElementLength() != nd || scales.ElementLength() != nd || zeros.ElementLength() != nd) {
    throw Napi::RangeError::New(info.Env(), "seeds, coefficients, scales and zeroPoints must have one entry per direction");
  }
  const chimera::UpdateDirections dirs{nd, seeds.Data(), coef.Data(), scales.Data(), zeros.Data(),
                                       number(info, 7, "levels")};
  const double lr = number(info, 8, "lr"), wd = number(info, 9, "weightDecay");
  if (Cuda) {
    check_cuda(info.Env(), chimera::cuda::update(params.Data(), params.ElementLength(), offset, tensor, dirs, lr, wd));
  } else {
    chimera::cpu::update(params.Data(), params.ElementLength(), offset, tensor, dirs, lr, wd);
  }
  return info.Env().Undefined();
}

// matmulInt4(x, m, k, n, blockSize, packed, scales, zeroPoints|null, loraA|null, loraB|null, rank, loraScale, out)
template <bool Cuda>
Napi::Value MatmulInt4(const Napi::CallbackInfo& info) {
  auto x = typed<Napi::Float32Array>(info, 0, "x");
  const size_t m = u64(info, 1, "m"), k = u64(info, 2, "k"), n = u64(info, 3, "n"), bs = u64(info, 4, "blockSize");
  auto packed = typed<Napi::Uint8Array>(info, 5, "packed");
  auto scales = typed<Napi::Float32Array>(info, 6, "scales");
  auto zeros = typed<Napi::Uint8Array>(info, 7, "zeroPoints", true);
  auto a = typed<Napi::Float32Array>(info, 8, "loraA", true);
  auto b = typed<Napi::Float32Array>(info, 9, "loraB", true);
  const size_t rank = u64(info, 10, "rank");
  const double lora_scale = number(info, 11, "loraScale");
  auto out = typed<Napi::Float32Array>(info, 12, "out");
  if (bs < 2 || (bs & (bs - 1)) != 0) throw Napi::RangeError::New(info.Env(), "blockSize must be a power of two >= 2");
  const size_t blocks = (k + bs - 1) / bs;
  if (x.ElementLength() != m * k || out.ElementLength() != m * n || packed.ElementLength() != n * blocks * (bs / 2) ||
      scales.ElementLength() != n * blocks || (!zeros.IsEmpty() && zeros.ElementLength() != n * blocks)) {
    throw Napi::RangeError::New(info.Env(), "matmulInt4: buffer sizes do not match m, k, n and blockSize");
  }
  if (!a.IsEmpty() && (b.IsEmpty() || a.ElementLength() != k * rank || b.ElementLength() != rank * n)) {
    throw Napi::RangeError::New(info.Env(), "matmulInt4: LoRA A must be [k, rank] and B [rank, n]");
  }
  const chimera::Int4Weights w{k, n, bs, packed.Data(), scales.Data(), zeros.IsEmpty() ? nullptr : zeros.Data()};
  const chimera::LoraWeights lora{a.IsEmpty() ? nullptr : a.Data(), b.IsEmpty() ? nullptr : b.Data(), rank, lora_scale};
  if (Cuda) {
    check_cuda(info.Env(), chimera::cuda::matmul_int4(x.Data(), m, w, lora, out.Data()));
  } else {
    chimera::cpu::matmul_int4(x.Data(), m, w, lora, out.Data());
  }
  return info.Env().Undefined();
}

template <bool Cuda>
Napi::Object KernelObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("gaussian", Napi::Function::New(env, Gaussian<Cuda>, "gaussian"));
  o.Set("gaussianRange", Napi::Function::New(env, GaussianRange<Cuda>, "gaussianRange"));
  o.Set("stochasticRound", Napi::Function::New(env, StochasticRound<Cuda>, "stochasticRound"));
  o.Set("perturbPlus", Napi::Function::New(env, Perturb<Cuda, 0>, "perturbPlus"));
  o.Set("perturbMinus", Napi::Function::New(env, Perturb<Cuda, 1>, "perturbMinus"));
  o.Set("perturbRestore", Napi::Function::New(env, Perturb<Cuda, 2>, "perturbRestore"));
  o.Set("update", Napi::Function::New(env, Update<Cuda>, "update"));
  o.Set("matmulInt4", Napi::Function::New(env, MatmulInt4<Cuda>, "matmulInt4"));
  return o;
}

Napi::Value CudaProbe(const Napi::CallbackInfo& info) {
  const chimera::cuda::DeviceInfo d = chimera::cuda::probe();
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", Napi::Boolean::New(env, d.available));
  o.Set("reason", Napi::String::New(env, d.reason));
  o.Set("name", Napi::String::New(env, d.name));
  o.Set("computeCapability", Napi::String::New(env, std::to_string(d.major) + "." + std::to_string(d.minor)));
  o.Set("totalMemory", Napi::Number::New(env, static_cast<double>(d.total_memory)));
  o.Set("runtimeVersion", Napi::Number::New(env, d.runtime_version));
  o.Set("driverVersion", Napi::Number::New(env, d.driver_version));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 2));
  exports.Set("cudaCompiled", Napi::Boolean::New(env, chimera::cuda::compiled()));
  exports.Set("cudaProbe", Napi::Function::New(env, CudaProbe, "cudaProbe"));
  exports.Set("cpu", KernelObject<false>(env));
  exports.Set("cuda", KernelObject<true>(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(chimera_kernels, Init)
