// CUDA-vs-CPU parity and timing harness for the native kernels (no Node needed).
//
// For every entry point of kernels.h it runs seeded random inputs at several sizes (1 element, odd
// lengths, odd and >2^32 offsets, ~16M elements) through chimera::cpu and chimera::cuda and
// compares the results: bit for bit for the deterministic kernels, and within a derived
// floating-point error bound for matmul_int4 (the GPU sums in float32 in another order; see
// matmul_bound below). Independent self-checks run on both backends' outputs: chunked calls equal
// one call, ranges equal the min/max of the generated values, SR outputs lie on their grid, and
// perturb plus -> minus -> restore gives fl(a + d), fl(a - d) and then the original bits.
// Then it times both backends host to host (staging included, as the addon calls them).
//
//   gpu_parity [--cpu-only] [--max-size N] [--no-timing] [--budget-s S] [--inject-fault] [--driver TEXT]
//              [out.json]
//
// --cpu-only runs the harness with the CPU kernels on both sides (no GPU needed), so the harness
// itself can be tested on a machine without a device. --inject-fault perturbs the "other" side's
// results so a run must report mismatches and exit 1 (a test of the harness).
// Exit: 0 all checks passed, 1 a correctness check failed, 2 no CUDA device (without --cpu-only),
// 3 bad arguments or a CUDA call error.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "chimera_math.h"
#include "kernels.h"

using namespace chimera;

namespace {

// ---------------------------------------------------------------------------------------------
// Options and global state

bool g_cpu_only = false;
bool g_inject = false;
bool g_timing = true;
double g_budget_s = 1e9;  // --budget-s: timing sections predicted to end later are skipped
size_t g_max_size = 16777213;  // the "~16M" case: odd, so the last pair is half used
// Whether the ~16M sections run (the default size is just under 2^24, which the timing uses).
bool big() { return g_max_size >= (1u << 24) - 1024; }
std::string g_driver;
int g_cuda_errors = 0;

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o += fmt("\\u%04x", c);
    } else {
      o += c;
    }
  }
  return o;
}

std::string json_num(double v) {
  if (std::isnan(v)) return "null";
  if (std::isinf(v)) return v > 0 ? "1e999" : "-1e999";
  return fmt("%.9g", v);
}

double now_ns() {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

// ---------------------------------------------------------------------------------------------
// Seeded inputs (splitmix64; independent of the kernels' Philox so inputs are not the noise)

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t u32() { return static_cast<uint32_t>(next() >> 32); }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal() {
    const double u1 = (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * uniform());
  }
};

std::vector<float> normal_vec(size_t n, uint64_t seed, double scale) {
  Rng r(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(r.normal() * scale);
  return v;
}

// Parameters spanning magnitudes around eps * u (so hint bits and the ledger are both used),
// exact zeros, subnormals, huge values, infinities and NaNs when `specials`.
std::vector<float> mixed_params(size_t n, uint64_t seed, bool specials) {
  Rng r(seed);
  std::vector<float> p(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t k = r.next() % 100;
    double v = r.normal();
    if (k < 60) {
      v *= 0.05;
    } else if (k < 80) {
      v *= 1e-4;
    } else if (k < 88) {
      v *= 1e-6;
    } else if (k < 93) {
      v = 0.0;
    } else if (k < 96) {
      v *= 3.0;
    } else if (specials && k == 96) {
      v = (r.next() & 1) ? 1e-41 : -3e-44;  // subnormal
    } else if (specials && k == 97) {
      v = (r.next() & 1) ? 3.0e38 : -1e37;
    } else if (specials && k == 98) {
      v = (r.next() & 1) ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    } else if (specials && k == 99) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else {
      v *= 0.01;
    }
    p[i] = static_cast<float>(v);
  }
  return p;
}

uint32_t fbits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// ---------------------------------------------------------------------------------------------
// Comparison records

struct Diff {
  uint64_t compared = 0;
  uint64_t mismatches = 0;
  uint64_t nan_payload = 0;  // both NaN, other bits: not a mismatch (CUDA arithmetic returns
                             // the canonical NaN, x86 keeps the operand's payload)
  double max_abs = 0.0;
  std::string first;
  void note(const std::string& what) {
    ++mismatches;
    if (first.empty()) first = what;
  }
};

void cmp_floats(Diff& d, const char* what, const float* ref, const float* got, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    ++d.compared;
    const uint32_t a = fbits(ref[i]), b = fbits(got[i]);
    if (a == b) continue;
    if (std::isnan(ref[i]) && std::isnan(got[i])) {
      ++d.nan_payload;
      continue;
    }
    const double diff = std::fabs(static_cast<double>(ref[i]) - static_cast<double>(got[i]));
    d.max_abs = std::max(d.max_abs, std::isnan(diff) ? std::numeric_limits<double>::infinity() : diff);
    d.note(fmt("%s[%zu]: cpu %.9g (0x%08x) vs other %.9g (0x%08x)", what, i, ref[i], a, got[i], b));
  }
}

template <typename T>
void cmp_ints(Diff& d, const char* what, const T* ref, const T* got, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    ++d.compared;
    if (ref[i] != got[i]) {
      d.max_abs = std::max(d.max_abs, std::fabs(static_cast<double>(ref[i]) - static_cast<double>(got[i])));
      d.note(fmt("%s[%zu]: cpu %llu vs other %llu", what, i, static_cast<unsigned long long>(ref[i]),
                 static_cast<unsigned long long>(got[i])));
    }
  }
}

void cmp_double(Diff& d, const char* what, double ref, double got) {
  ++d.compared;
  if (ref == got || (std::isnan(ref) && std::isnan(got))) return;
  d.max_abs = std::max(d.max_abs, std::fabs(ref - got));
  d.note(fmt("%s: cpu %.17g vs other %.17g", what, ref, got));
}

struct Check {
  std::string kernel;
  std::string name;
  std::string kind;  // "parity" (cpu vs other) or "self" (property of one backend's output)
  size_t size = 0;
  Diff diff;
  bool exact = true;
  double bound_use = 0.0;  // matmul: max |diff| / bound
  double max_rel = 0.0;    // matmul: max |diff| / |cpu value|
  double norm_rel = 0.0;   // matmul: max |diff| / max(1, max |cpu value|), the addon test's 1e-5 measure
  std::string error;       // CUDA error text, if any
  bool pass() const { return error.empty() && diff.mismatches == 0; }
};
std::vector<Check> g_checks;

void record(Check c) {
  const bool ok = c.pass();
  std::printf("  %-4s %-16s %-6s %-58s n=%-9zu compared=%-10llu mism=%-6llu maxabs=%-10.3g%s%s\n", ok ? "ok" : "FAIL",
              c.kernel.c_str(), c.kind.c_str(), c.name.c_str(), c.size,
              static_cast<unsigned long long>(c.diff.compared), static_cast<unsigned long long>(c.diff.mismatches),
              c.diff.max_abs, c.diff.nan_payload ? fmt(" nan-payload-diffs=%llu", (unsigned long long)c.diff.nan_payload).c_str() : "",
              c.exact ? "" : fmt(" bound-use=%.3g max-rel=%.3g norm-rel=%.3g", c.bound_use, c.max_rel, c.norm_rel).c_str());
  if (!ok) {
    if (!c.error.empty()) std::printf("       error: %s\n", c.error.c_str());
    if (!c.diff.first.empty()) std::printf("       first mismatch: %s\n", c.diff.first.c_str());
  }
  std::fflush(stdout);
  g_checks.push_back(std::move(c));
}

// ---------------------------------------------------------------------------------------------
// The two sides. "cpu" is always chimera::cpu; "other" is chimera::cuda, or chimera::cpu again
// with --cpu-only. Each returns a CUDA error text or "".

namespace other {

std::string gaussian(float* out, size_t n, uint32_t seed, uint32_t tensor, uint64_t offset) {
  if (g_cpu_only) {
    cpu::gaussian(out, n, seed, tensor, offset);
    return "";
  }
  return cuda::gaussian(out, n, seed, tensor, offset);
}
std::string gaussian_range(uint32_t seed, uint32_t tensor, uint64_t n, float* mn, float* mx) {
  if (g_cpu_only) {
    cpu::gaussian_range(seed, tensor, n, mn, mx);
    return "";
  }
  return cuda::gaussian_range(seed, tensor, n, mn, mx);
}
std::string stochastic_round(const float* in, float* out, uint8_t* codes, size_t n, int bits, uint32_t seed,
                             uint32_t stream, QuantizeResult* r) {
  if (g_cpu_only) {
    *r = cpu::stochastic_round(in, out, codes, n, bits, seed, stream);
    return "";
  }
  return cuda::stochastic_round(in, out, codes, n, bits, seed, stream, r);
}
std::string perturb_plus(float* p, size_t n, uint64_t off, uint32_t seed, uint32_t tensor, const Quantizer& q,
                         double eps, uint8_t* hints, uint32_t* li, float* lv, size_t* count) {
  if (g_cpu_only) {
    *count = cpu::perturb_plus(p, n, off, seed, tensor, q, eps, hints, li, lv);
    return "";
  }
  return cuda::perturb_plus(p, n, off, seed, tensor, q, eps, hints, li, lv, count);
}
std::string perturb_minus(float* p, size_t n, uint64_t off, uint32_t seed, uint32_t tensor, const Quantizer& q,
                          double eps, uint8_t* hints, const uint32_t* li, const float* lv, size_t count) {
  if (g_cpu_only) {
    cpu::perturb_minus(p, n, off, seed, tensor, q, eps, hints, li, lv, count);
    return "";
  }
  return cuda::perturb_minus(p, n, off, seed, tensor, q, eps, hints, li, lv, count);
}
std::string perturb_restore(float* p, size_t n, uint64_t off, uint32_t seed, uint32_t tensor, const Quantizer& q,
                            double eps, const uint8_t* hints, const uint32_t* li, const float* lv, size_t count) {
  if (g_cpu_only) {
    cpu::perturb_restore(p, n, off, seed, tensor, q, eps, hints, li, lv, count);
    return "";
  }
  return cuda::perturb_restore(p, n, off, seed, tensor, q, eps, hints, li, lv, count);
}
std::string update(float* p, size_t n, uint64_t off, uint32_t tensor, const UpdateDirections& dirs, double lr,
                   double wd) {
  if (g_cpu_only) {
    cpu::update(p, n, off, tensor, dirs, lr, wd);
    return "";
  }
  return cuda::update(p, n, off, tensor, dirs, lr, wd);
}
std::string matmul_int4(const float* x, size_t m, const Int4Weights& w, const LoraWeights& lora, float* out) {
  if (g_cpu_only) {
    cpu::matmul_int4(x, m, w, lora, out);
    return "";
  }
  return cuda::matmul_int4(x, m, w, lora, out);
}

}  // namespace other

// --inject-fault: damage the other side's output so the comparison must fail.
void inject(float* v, size_t n) {
  if (g_inject && n > 0) v[n / 2] = std::nextafter(v[n / 2], std::numeric_limits<float>::infinity());
}

// The perturbation d of element g, computed here from chimera_math.h (not through either backend).
float delta_of(uint64_t g, uint32_t seed, uint32_t tensor, const Quantizer& q, double eps) {
  double u0, u1;
  perturbation_pair(g >> 1, seed, tensor, q, &u0, &u1);
  return static_cast<float>(((g & 1) ? u1 : u0) * eps);
}

Quantizer no_quantizer() { return Quantizer{0.0, 0.0, 0.0}; }

// The quantizer of the Gaussian's range over [0, length) (as QuzoOptimizer builds it). Any valid
// quantizer serves the parity checks; at large offsets the window is shorter than the offset, so
// some values clamp to the end codes, which is exercised too.
Quantizer perturbation_quantizer(uint32_t seed, uint32_t tensor, uint64_t length, int bits) {
  float mn, mx;
  cpu::gaussian_range(seed, tensor, length, &mn, &mx);
  return quantizer_for(mn, mx, bits);
}

// The same quantizer from the other side's gaussian_range (bit-equal to the CPU's, as the
// correctness checks show): keeps the timing setup of large buffers off the single CPU thread.
Quantizer other_quantizer(uint32_t seed, uint32_t tensor, uint64_t length, int bits) {
  float mn = 0, mx = 0;
  if (!other::gaussian_range(seed, tensor, length, &mn, &mx).empty()) ++g_cuda_errors;
  return quantizer_for(mn, mx, bits);
}

// ---------------------------------------------------------------------------------------------
// Correctness

struct Span {
  size_t n;
  uint64_t offset;
};

std::vector<Span> spans() {
  std::vector<Span> s = {{1, 0}, {1, 1}, {2, 0}, {7, 1}, {1001, 12345}, {65537, 3}, {1000003, 0}};
  if (g_max_size > 1000003) s.push_back({g_max_size, 5});
  return s;
}

void check_gaussian() {
  std::printf("gaussian\n");
  std::vector<Span> cases = spans();
  cases.push_back({4099, (1ull << 33) + 7});  // counter high word in use
  cases.push_back({64, 0xFFFFFFFFull * 2 - 3});
  uint32_t seed = 42;
  for (const Span& s : cases) {
    if (s.n > g_max_size) continue;
    std::vector<float> a(s.n), b(s.n);
    cpu::gaussian(a.data(), s.n, seed, 3, s.offset);
    Check c{"gaussian", fmt("seed=%u tensor=3 offset=%llu", seed, (unsigned long long)s.offset), "parity", s.n};
    c.error = other::gaussian(b.data(), s.n, seed, 3, s.offset);
    inject(b.data(), s.n);
    cmp_floats(c.diff, "out", a.data(), b.data(), s.n);
    record(c);
    // Chunking: element offset+i of a call at offset-1 over n+2 elements is the same value.
    if (s.offset > 0 && s.n <= 2000000) {
      std::vector<float> wide(s.n + 2);
      Check w{"gaussian", fmt("chunk: [offset-1, offset+n+1) slice equals call at offset %llu",
                              (unsigned long long)s.offset),
              "self", s.n};
      w.error = other::gaussian(wide.data(), wide.size(), seed, 3, s.offset - 1);
      cmp_floats(w.diff, "slice", b.data(), wide.data() + 1, s.n);
      record(w);
    }
    if (s.n >= 1000000) {
      // Distribution sanity of the other side's values: mean and variance of N(0,1) within 6 sigma.
      double sum = 0, sq = 0;
      for (float v : b) {
        sum += v;
        sq += static_cast<double>(v) * v;
      }
      const double mean = sum / s.n, var = sq / s.n - mean * mean;
      Check st{"gaussian", fmt("moments: mean %.2e var %.5f within 6 sigma", mean, var), "self", s.n};
      st.diff.compared = 2;
      if (std::fabs(mean) > 6.0 / std::sqrt(static_cast<double>(s.n))) st.diff.note(fmt("mean %.3g", mean));
      if (std::fabs(var - 1.0) > 6.0 * std::sqrt(2.0 / s.n)) st.diff.note(fmt("variance %.6g", var));
      record(st);
    }
    seed = seed * 2654435761u + 17;
  }
}

void check_gaussian_range() {
  std::printf("gaussian_range\n");
  std::vector<uint64_t> lengths = {0, 1, 2, 7, 1001, 65537, 1000003};
  if (g_max_size > 1000003) lengths.push_back(g_max_size);
  for (uint64_t n : lengths) {
    if (n > g_max_size) continue;
    float amin, amax, bmin, bmax;
    cpu::gaussian_range(5, 1, n, &amin, &amax);
    Check c{"gaussian_range", "seed=5 tensor=1", "parity", static_cast<size_t>(n)};
    c.error = other::gaussian_range(5, 1, n, &bmin, &bmax);
    if (g_inject) bmax = std::nextafter(bmax, 100.0f);
    cmp_floats(c.diff, "min", &amin, &bmin, 1);
    cmp_floats(c.diff, "max", &amax, &bmax, 1);
    record(c);
    // The range equals the min/max of gaussian over [0, n) computed by the other side.
    if (n > 0) {
      std::vector<float> z(n);
      Check s{"gaussian_range", "equals min/max of gaussian(0..n)", "self", static_cast<size_t>(n)};
      s.error = other::gaussian(z.data(), n, 5, 1, 0);
      const float zmin = *std::min_element(z.begin(), z.end());
      const float zmax = *std::max_element(z.begin(), z.end());
      cmp_floats(s.diff, "min", &zmin, &bmin, 1);
      cmp_floats(s.diff, "max", &zmax, &bmax, 1);
      record(s);
    }
  }
}

void check_stochastic_round() {
  std::printf("stochastic_round\n");
  struct Case {
    size_t n;
    int bits;
    const char* input;
  };
  std::vector<Case> cases = {{1, 4, "normal"},     {2, 8, "normal"},      {7, 1, "normal"},   {1001, 4, "normal"},
                             {65537, 8, "normal"}, {1000003, 4, "normal"}, {4097, 4, "const"}, {3, 4, "signed-zeros"},
                             {0, 4, "empty"}};
  if (g_max_size > 1000003) cases.push_back({g_max_size, 4, "normal"});
  uint32_t seed = 11;
  for (const Case& k : cases) {
    if (k.n > g_max_size) continue;
    std::vector<float> in;
    if (!std::strcmp(k.input, "normal")) {
      in = normal_vec(k.n, seed, 3.0);
    } else if (!std::strcmp(k.input, "const")) {
      in.assign(k.n, 0.375f);
    } else if (!std::strcmp(k.input, "signed-zeros")) {
      in = {0.0f, -0.0f, 1.0f};
    }
    std::vector<float> oa(k.n), ob(k.n);
    std::vector<uint8_t> ca(k.n), cb(k.n);
    const QuantizeResult ra = cpu::stochastic_round(in.data(), oa.data(), ca.data(), k.n, k.bits, seed, 4);
    QuantizeResult rb{};
    Check c{"stochastic_round", fmt("bits=%d %s seed=%u", k.bits, k.input, seed), "parity", k.n};
    c.error = other::stochastic_round(in.data(), ob.data(), cb.data(), k.n, k.bits, seed, 4, &rb);
    inject(ob.data(), k.n);
    cmp_floats(c.diff, "output", oa.data(), ob.data(), k.n);
    cmp_ints(c.diff, "codes", ca.data(), cb.data(), k.n);
    cmp_double(c.diff, "scale", ra.scale, rb.scale);
    cmp_double(c.diff, "zero_point", ra.zero_point, rb.zero_point);
    cmp_double(c.diff, "levels", ra.levels, rb.levels);
    cmp_double(c.diff, "min", ra.min, rb.min);
    cmp_double(c.diff, "max", ra.max, rb.max);
    record(c);
    // Without codes the outputs are the same.
    if (k.n > 0 && k.n <= 65537) {
      std::vector<float> oc(k.n);
      QuantizeResult rc{};
      Check nc{"stochastic_round", "codes=null gives the same output", "self", k.n};
      nc.error = other::stochastic_round(in.data(), oc.data(), nullptr, k.n, k.bits, seed, 4, &rc);
      cmp_floats(nc.diff, "output", ob.data(), oc.data(), k.n);
      record(nc);
    }
    // Grid property of the other side's output: codes within levels, output = (code - zp) / scale,
    // and within one step of the input.
    Check g{"stochastic_round", "output on the grid, within one step", "self", k.n};
    for (size_t i = 0; i < k.n; ++i) {
      ++g.diff.compared;
      if (rb.scale == 0.0) {
        if (fbits(ob[i]) != fbits(in[i]) || cb[i] != 0) g.diff.note(fmt("[%zu] scale 0 must copy input", i));
        continue;
      }
      const float expect = static_cast<float>((cb[i] - rb.zero_point) / rb.scale);
      if (cb[i] > rb.levels) g.diff.note(fmt("[%zu] code %u > levels", i, cb[i]));
      if (fbits(expect) != fbits(ob[i])) g.diff.note(fmt("[%zu] output %.9g != dequant(code) %.9g", i, ob[i], expect));
      if (std::fabs(static_cast<double>(ob[i]) - in[i]) > 1.0 / rb.scale * (1 + 1e-6))
        g.diff.note(fmt("[%zu] |output - input| > one step", i));
    }
    record(g);
    seed += 7;
  }
}

struct Ledger {
  std::vector<uint32_t> index;
  std::vector<float> value;
  size_t count = 0;
  std::vector<std::pair<uint32_t, uint32_t>> sorted() const {
    std::vector<std::pair<uint32_t, uint32_t>> r(count);
    for (size_t e = 0; e < count; ++e) r[e] = {index[e], fbits(value[e])};
    std::sort(r.begin(), r.end());
    return r;
  }
};

// Expected params after plus (a + d) or minus (a - d), element by element from chimera_math.h.
void expect_phase(Diff& d, const char* what, const std::vector<float>& orig, const std::vector<float>& got,
                  uint64_t offset, uint32_t seed, uint32_t tensor, const Quantizer& q, double eps, int sign) {
  std::vector<float> want(orig.size());
  for (size_t i = 0; i < orig.size(); ++i) {
    const float dd = delta_of(offset + i, seed, tensor, q, eps);
    want[i] = sign > 0 ? orig[i] + dd : orig[i] - dd;
  }
  cmp_floats(d, what, want.data(), got.data(), got.size());
}

void check_perturb() {
  std::printf("perturb_plus / perturb_minus / perturb_restore\n");
  struct Case {
    size_t n;
    uint64_t offset;
    int bits;  // 0 = full precision (MeZO)
    double eps;
    bool specials;
  };
  std::vector<Case> cases = {{1, 0, 0, 1e-3, false},         {1, 1, 4, 1e-3, false},       {2, 0, 4, 1e-3, false},
                             {7, 1, 0, 1e-3, false},         {1001, 12345, 4, 1e-3, true}, {65537, 3, 0, 1e-3, true},
                             {65537, 3, 4, 1e-2, true},      {1000003, 0, 4, 1e-3, true},  {1000003, 7, 0, 1e-4, false},
                             {300001, (1ull << 32) - 300002, 4, 1e-3, true}};
  if (g_max_size > 1000003) {
    cases.push_back({g_max_size, 5, 4, 1e-3, true});
    cases.push_back({g_max_size, 5, 0, 1e-3, false});
  }
  uint32_t seed = 9;
  for (const Case& k : cases) {
    if (k.n > g_max_size) continue;
    const uint32_t tensor = 2;
    const Quantizer q = k.bits ? perturbation_quantizer(seed, tensor, k.n + 1, k.bits) : no_quantizer();
    const std::vector<float> orig = mixed_params(k.n, seed * 31 + k.n, k.specials);
    const std::string label = fmt("%s eps=%g offset=%llu%s seed=%u", k.bits ? "4-bit" : "fp", k.eps,
                                  (unsigned long long)k.offset, k.specials ? " +specials" : "", seed);
    const size_t hb = (k.n + 7) / 8;
    std::vector<float> pa = orig, pb = orig;
    std::vector<uint8_t> ha(hb, 0xA5), hbv(hb, 0x5A);  // garbage: plus must overwrite every hint byte
    Ledger la, lb;
    la.index.assign(k.n, 0);
    la.value.assign(k.n, 0);
    lb.index.assign(k.n, 0);
    lb.value.assign(k.n, 0);
    la.count = cpu::perturb_plus(pa.data(), k.n, k.offset, seed, tensor, q, k.eps, ha.data(), la.index.data(),
                                 la.value.data());
    Check c{"perturb_plus", label, "parity", k.n};
    c.error = other::perturb_plus(pb.data(), k.n, k.offset, seed, tensor, q, k.eps, hbv.data(), lb.index.data(),
                                  lb.value.data(), &lb.count);
    inject(pb.data(), k.n);
    cmp_floats(c.diff, "params", pa.data(), pb.data(), k.n);
    cmp_ints(c.diff, "hints", ha.data(), hbv.data(), hb);
    {
      const auto sa = la.sorted(), sb = lb.sorted();
      ++c.diff.compared;
      if (sa != sb) c.diff.note(fmt("ledger: cpu %zu entries vs other %zu (or entries differ)", la.count, lb.count));
    }
    record(c);
    size_t hinted = 0;
    for (uint8_t v : ha) hinted += __builtin_popcount(v);
    std::printf("       ledger entries %zu, hint bits set %zu\n", la.count, hinted);
    Check ep{"perturb_plus", "params == fl(a + d), d from chimera_math.h", "self", k.n};
    expect_phase(ep.diff, "plus", orig, pb, k.offset, seed, tensor, q, k.eps, +1);
    record(ep);

    cpu::perturb_minus(pa.data(), k.n, k.offset, seed, tensor, q, k.eps, ha.data(), la.index.data(), la.value.data(),
                       la.count);
    Check m{"perturb_minus", label, "parity", k.n};
    m.error = other::perturb_minus(pb.data(), k.n, k.offset, seed, tensor, q, k.eps, hbv.data(), lb.index.data(),
                                   lb.value.data(), lb.count);
    cmp_floats(m.diff, "params", pa.data(), pb.data(), k.n);
    cmp_ints(m.diff, "hints", ha.data(), hbv.data(), hb);
    record(m);
    Check em{"perturb_minus", "params == fl(a - d)", "self", k.n};
    expect_phase(em.diff, "minus", orig, pb, k.offset, seed, tensor, q, k.eps, -1);
    record(em);

    cpu::perturb_restore(pa.data(), k.n, k.offset, seed, tensor, q, k.eps, ha.data(), la.index.data(),
                         la.value.data(), la.count);
    Check r{"perturb_restore", label, "parity", k.n};
    r.error = other::perturb_restore(pb.data(), k.n, k.offset, seed, tensor, q, k.eps, hbv.data(), lb.index.data(),
                                     lb.value.data(), lb.count);
    cmp_floats(r.diff, "params", pa.data(), pb.data(), k.n);
    record(r);
    // Round trip: the original bits exactly, NaN payloads included (no NaN leniency here).
    Check rt{"perturb_restore", "round trip restores the original bits (cpu and other)", "self", k.n};
    for (size_t i = 0; i < k.n; ++i) {
      rt.diff.compared += 2;
      if (fbits(pa[i]) != fbits(orig[i])) rt.diff.note(fmt("cpu [%zu] %.9g != original %.9g", i, pa[i], orig[i]));
      if (fbits(pb[i]) != fbits(orig[i])) rt.diff.note(fmt("other [%zu] %.9g != original %.9g", i, pb[i], orig[i]));
    }
    record(rt);
    seed += 3;
  }
}

void check_update() {
  std::printf("update\n");
  struct Case {
    size_t n;
    uint64_t offset;
    size_t dirs;
    int bits;
    double wd;
  };
  std::vector<Case> cases = {{1, 0, 1, 0, 0.0},         {1, 1, 3, 4, 0.1},          {2, 0, 2, 4, 0.0},
                             {7, 1, 3, 0, 0.1},         {1001, 12345, 5, 4, 0.01},  {65537, 3, 1, 0, 0.0},
                             {65537, 3, 16, 4, 0.1},    {1000003, 0, 4, 4, 0.01},   {1000003, 1, 2, 0, 0.0},
                             {100001, (1ull << 32) + 1, 3, 4, 0.0}};
  if (g_max_size > 1000003) {
    cases.push_back({g_max_size, 5, 4, 4, 0.01});
    cases.push_back({g_max_size, 5, 1, 0, 0.0});
  }
  uint32_t base = 3;
  for (const Case& k : cases) {
    if (k.n > g_max_size) continue;
    const uint32_t tensor = 1;
    std::vector<uint32_t> seeds(k.dirs);
    std::vector<double> coef(k.dirs), scales(k.dirs), zeros(k.dirs);
    Rng r(base);
    for (size_t j = 0; j < k.dirs; ++j) {
      seeds[j] = r.u32();
      coef[j] = r.normal() * 0.5;
      const Quantizer q = k.bits ? perturbation_quantizer(seeds[j], tensor, k.n + 1, k.bits) : no_quantizer();
      scales[j] = q.scale;
      zeros[j] = q.zero_point;
    }
    const UpdateDirections dirs{k.dirs, seeds.data(), coef.data(), scales.data(), zeros.data(),
                                k.bits ? static_cast<double>((1u << k.bits) - 1) : 0.0};
    const std::vector<float> orig = mixed_params(k.n, base * 7 + k.n, false);
    std::vector<float> pa = orig, pb = orig;
    cpu::update(pa.data(), k.n, k.offset, tensor, dirs, 0.01, k.wd);
    Check c{"update", fmt("%zu dirs %s wd=%g offset=%llu", k.dirs, k.bits ? "4-bit" : "fp", k.wd,
                          (unsigned long long)k.offset),
            "parity", k.n};
    c.error = other::update(pb.data(), k.n, k.offset, tensor, dirs, 0.01, k.wd);
    inject(pb.data(), k.n);
    cmp_floats(c.diff, "params", pa.data(), pb.data(), k.n);
    record(c);
    // Chunking on the other side: two calls split at an odd point equal one call.
    if (k.n >= 7) {
      std::vector<float> pc = orig;
      const size_t cut = k.n / 2 | 1;
      Check ch{"update", fmt("chunk: split at %zu equals one call", cut), "self", k.n};
      ch.error = other::update(pc.data(), cut, k.offset, tensor, dirs, 0.01, k.wd);
      if (ch.error.empty()) ch.error = other::update(pc.data() + cut, k.n - cut, k.offset + cut, tensor, dirs, 0.01, k.wd);
      cmp_floats(ch.diff, "params", pb.data(), pc.data(), k.n);
      record(ch);
    }
    ++base;
  }
}

// Random 4-bit weights in MatMulNBits layout with k padded to whole blocks.
struct Int4Case {
  size_t m, k, n, bs, rank;
  bool zeros;
  double lora_scale;
  std::vector<float> x, scales, a, b;
  std::vector<uint8_t> packed, zp;
  Int4Weights w() const {
    return Int4Weights{k, n, bs, packed.data(), scales.data(), zeros ? zp.data() : nullptr};
  }
  LoraWeights lora() const {
    return LoraWeights{rank ? a.data() : nullptr, rank ? b.data() : nullptr, rank, lora_scale};
  }
};

Int4Case make_int4(size_t m, size_t k, size_t n, size_t bs, bool zeros, size_t rank, uint64_t seed) {
  Int4Case c{m, k, n, bs, rank, zeros, 2.0};
  Rng r(seed);
  const size_t blocks = (k + bs - 1) / bs, row_bytes = blocks * (bs / 2);
  c.x = normal_vec(m * k, seed + 1, 1.0);
  c.packed.resize(n * row_bytes);
  for (auto& v : c.packed) v = static_cast<uint8_t>(r.next());
  c.scales.resize(n * blocks);
  for (auto& v : c.scales) v = static_cast<float>(0.002 + 0.02 * r.uniform());
  if (zeros) {
    c.zp.resize(n * blocks);
    for (auto& v : c.zp) v = static_cast<uint8_t>(r.next() % 16);
  }
  if (rank) {
    c.a = normal_vec(k * rank, seed + 2, 0.05);
    c.b = normal_vec(rank * n, seed + 3, 0.05);
  }
  return c;
}

// Error bound of the GPU result against the exact value, per output (Higham, gamma_j = j u / (1 - j u),
// u = 2^-24). The CUDA kernel gives each of 32 lanes ceil(row_bytes / 32) bytes; per byte it forms
// x0 (c0 - z) + x1 (c1 - z) (2 products, 1 add), multiplies by the block scale and adds to the lane
// sum, then 5 shuffle additions combine the lanes: every term passes through at most
// L = ceil(row_bytes / 32) + 4 + 5 roundings, so |error| <= gamma_L sum |scale x (c - z)|.
// LoRA: hidden (float, serial over k: k+1 roundings), times B (serial over rank: rank+1), times the
// float-rounded scale (+2), added to acc (+1): gamma_{k+rank+4} sum |s| |B| sum |x A|. The CPU sums in
// float64 (error ~1e-16 relative, ignored) and rounds once to float: + half an ulp of the result.
std::vector<double> matmul_bound(const Int4Case& c, const std::vector<float>& cpu_out) {
  const double u = std::ldexp(1.0, -24);
  auto gamma = [u](double j) { return j * u / (1.0 - j * u); };
  const size_t blocks = (c.k + c.bs - 1) / c.bs, row_bytes = blocks * (c.bs / 2);
  const double g_main = gamma(static_cast<double>((row_bytes + 31) / 32 + 4 + 5));
  const double g_lora = gamma(static_cast<double>(c.k + c.rank + 4));
  std::vector<double> bound(c.m * c.n);
  std::vector<double> habs(c.rank);
  for (size_t r = 0; r < c.m; ++r) {
    const float* xr = c.x.data() + r * c.k;
    for (size_t q = 0; q < c.rank; ++q) {
      double s = 0;
      for (size_t kk = 0; kk < c.k; ++kk) s += std::fabs(static_cast<double>(xr[kk]) * c.a[kk * c.rank + q]);
      habs[q] = s;
    }
    for (size_t j = 0; j < c.n; ++j) {
      double s_main = 0;
      const uint8_t* row = c.packed.data() + j * row_bytes;
      for (size_t kk = 0; kk < c.k; ++kk) {
        const size_t b = kk / c.bs;
        const double zero = c.zeros ? c.zp[j * blocks + b] : 8.0;
        const double code = (kk & 1) ? (row[kk >> 1] >> 4) : (row[kk >> 1] & 0x0F);
        s_main += std::fabs(c.scales[j * blocks + b] * static_cast<double>(xr[kk]) * (code - zero));
      }
      double s_lora = 0;
      for (size_t q = 0; q < c.rank; ++q) s_lora += habs[q] * std::fabs(c.b[q * c.n + j]);
      s_lora *= std::fabs(c.lora_scale);
      const float y = cpu_out[r * c.n + j];
      const double half_ulp = 0.5 * (std::nextafter(std::fabs(y), INFINITY) - std::fabs(y));
      bound[r * c.n + j] = g_main * s_main + g_lora * s_lora + half_ulp + std::numeric_limits<float>::denorm_min();
    }
  }
  return bound;
}

void check_matmul() {
  std::printf("matmul_int4 (tolerance: derived float32 error bound, see matmul_bound)\n");
  struct Shape {
    size_t m, k, n, bs, rank;
    bool zeros;
  };
  std::vector<Shape> shapes = {{1, 2, 1, 2, 0, false},       {1, 33, 5, 16, 0, true},      {3, 70, 13, 32, 4, true},
                               {1, 256, 64, 32, 0, false},   {4, 96, 33, 32, 0, true},     {5, 1000, 77, 64, 8, true},
                               {2, 4096, 1024, 128, 16, true}};
  if (big()) shapes.push_back({1, 4096, 4096, 32, 0, true});  // 16.8M weights
  uint64_t seed = 100;
  for (const Shape& s : shapes) {
    if (s.k * s.n > (big() ? std::max<size_t>(g_max_size, 1u << 24) : g_max_size)) continue;
    const Int4Case c = make_int4(s.m, s.k, s.n, s.bs, s.zeros, s.rank, seed++);
    std::vector<float> ya(s.m * s.n), yb(s.m * s.n);
    cpu::matmul_int4(c.x.data(), s.m, c.w(), c.lora(), ya.data());
    Check ch{"matmul_int4",
             fmt("m=%zu k=%zu n=%zu bs=%zu%s%s", s.m, s.k, s.n, s.bs, s.zeros ? " zp" : "",
                 s.rank ? fmt(" lora r%zu", s.rank).c_str() : ""),
             "parity", s.k * s.n};
    ch.exact = false;
    ch.error = other::matmul_int4(c.x.data(), s.m, c.w(), c.lora(), yb.data());
    if (g_inject && !yb.empty()) yb[yb.size() / 2] += 1e-2f * (1.0f + std::fabs(yb[yb.size() / 2]));
    const std::vector<double> bound = matmul_bound(c, ya);
    const double u = std::ldexp(1.0, -24);
    double ymax = 1.0;
    for (float v : ya) ymax = std::max(ymax, std::fabs(static_cast<double>(v)));
    for (size_t i = 0; i < ya.size(); ++i) {
      ++ch.diff.compared;
      const double d = std::fabs(static_cast<double>(ya[i]) - yb[i]);
      if (!(d == d)) {
        ch.diff.note(fmt("out[%zu]: cpu %.9g vs other %.9g", i, ya[i], yb[i]));
        continue;
      }
      ch.diff.max_abs = std::max(ch.diff.max_abs, d);
      ch.bound_use = std::max(ch.bound_use, d / bound[i]);
      ch.max_rel = std::max(ch.max_rel, d / std::max(std::fabs(static_cast<double>(ya[i])), u));
      ch.norm_rel = std::max(ch.norm_rel, d / ymax);
      if (d > bound[i])
        ch.diff.note(fmt("out[%zu]: cpu %.9g vs other %.9g, |diff| %.3g > bound %.3g", i, ya[i], yb[i], d, bound[i]));
    }
    record(ch);
  }
}

// ---------------------------------------------------------------------------------------------
// Timing: host to host, as addon.cc calls the kernels (the CUDA entry points allocate, copy in,
// launch, copy out and free on every call). Median of `reps` after one untimed warm-up call.

struct Timing {
  std::string kernel;
  std::string config;
  size_t size;  // elements (matmul: weights k * n)
  double cpu_ns = NAN;
  double gpu_ns = NAN;
  int cpu_reps = 0;
  int gpu_reps = 0;
  double bytes = 0;  // host bytes moved in + out per call (for GB/s)
};
std::vector<Timing> g_timings;
std::vector<std::string> g_skipped;  // timing sections left out for --budget-s

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Runs `prepare` (untimed) then `body` (timed) `reps` times after one warm-up; returns the median ns.
double time_median(int reps, const std::function<void()>& prepare, const std::function<bool()>& body,
                   bool warm_up = true) {
  if (warm_up) {
    prepare();
    if (!body()) return NAN;
  }
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    prepare();
    const double t0 = now_ns();
    if (!body()) return NAN;
    t.push_back(now_ns() - t0);
  }
  return median(t);
}

bool ok_or_count(const std::string& e) {
  if (e.empty()) return true;
  ++g_cuda_errors;
  std::printf("  CUDA error during timing: %s\n", e.c_str());
  return false;
}

void add_timing(Timing t) {
  const double ratio = t.cpu_ns / t.gpu_ns;
  std::printf("  %-16s %-34s n=%-10zu cpu %12.0f ns (x%d)  %s %12.0f ns (x%d)  cpu/%s %8.2f  %s GB/s %.2f\n",
              t.kernel.c_str(), t.config.c_str(), t.size, t.cpu_ns, t.cpu_reps, g_cpu_only ? "other" : "gpu", t.gpu_ns,
              t.gpu_reps, g_cpu_only ? "other" : "gpu", ratio, g_cpu_only ? "other" : "gpu",
              t.bytes / t.gpu_ns);
  std::fflush(stdout);
  g_timings.push_back(std::move(t));
}

// Repetitions: enough for a stable median while the whole run fits a short device lease.
int cpu_reps_for(size_t n) { return n >= (1u << 24) ? 3 : 5; }
int gpu_reps_for(size_t n) { return g_cpu_only ? 2 : n >= (1u << 26) ? 5 : 10; }

void time_elementwise(size_t n, bool cpu_too) {
  const int cr = cpu_too ? cpu_reps_for(n) : 0, gr = gpu_reps_for(n);
  const bool cw = n < (1u << 24);  // CPU warm-up call only where it is cheap
  std::vector<float> out(n);
  {
    Timing t{"gaussian", "offset 1", n};
    if (cr) t.cpu_ns = time_median(cr, [] {}, [&] { cpu::gaussian(out.data(), n, 1, 2, 1); return true; }, cw);
    t.gpu_ns = time_median(gr, [] {}, [&] { return ok_or_count(other::gaussian(out.data(), n, 1, 2, 1)); });
    t.cpu_reps = cr, t.gpu_reps = gr, t.bytes = 4.0 * n;
    add_timing(t);
  }
  {
    Timing t{"gaussian_range", "", n};
    float a, b;
    if (cr) t.cpu_ns = time_median(cr, [] {}, [&] { cpu::gaussian_range(1, 2, n, &a, &b); return true; }, cw);
    t.gpu_ns = time_median(gr, [] {}, [&] { return ok_or_count(other::gaussian_range(1, 2, n, &a, &b)); });
    t.cpu_reps = cr, t.gpu_reps = gr, t.bytes = 0;
    add_timing(t);
  }
  const std::vector<float> in = normal_vec(n, 5, 1.0);
  {
    std::vector<uint8_t> codes(n);
    Timing t{"stochastic_round", "8 bits, with codes", n};
    QuantizeResult r{};
    if (cr)
      t.cpu_ns = time_median(cr, [] {}, [&] {
        cpu::stochastic_round(in.data(), out.data(), codes.data(), n, 8, 1, 2);
        return true;
      }, cw);
    t.gpu_ns = time_median(gr, [] {}, [&] {
      return ok_or_count(other::stochastic_round(in.data(), out.data(), codes.data(), n, 8, 1, 2, &r));
    });
    t.cpu_reps = cr, t.gpu_reps = gr, t.bytes = 9.0 * n;
    add_timing(t);
  }
  {
    const Quantizer q = other_quantizer(7, 2, n, 4);
    const std::vector<float>& orig = in;
    std::vector<float> p(n);
    std::vector<uint8_t> hints((n + 7) / 8);
    std::vector<uint32_t> li(n);
    std::vector<float> lv(n);
    const double eps = 1e-3;
    // One rep = plus, minus, restore in sequence from the original params, each phase timed alone
    // (the state each phase needs is the one the previous phase left).
    const char* names[3] = {"perturb_plus", "perturb_minus", "perturb_restore"};
    std::vector<double> tc[3], tg[3];
    auto sequence = [&](bool gpu, std::vector<double>* out) {
      std::copy(orig.begin(), orig.end(), p.begin());
      size_t count = 0;
      for (int phase = 0; phase < 3; ++phase) {
        const double t0 = now_ns();
        bool ok = true;
        if (!gpu) {
          if (phase == 0) count = cpu::perturb_plus(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data());
          if (phase == 1) cpu::perturb_minus(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data(), count);
          if (phase == 2) cpu::perturb_restore(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data(), count);
        } else if (phase == 0) {
          ok = ok_or_count(other::perturb_plus(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data(), &count));
        } else if (phase == 1) {
          ok = ok_or_count(other::perturb_minus(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data(), count));
        } else {
          ok = ok_or_count(other::perturb_restore(p.data(), n, 0, 7, 2, q, eps, hints.data(), li.data(), lv.data(), count));
        }
        if (out) out[phase].push_back(ok ? now_ns() - t0 : NAN);
      }
    };
    for (int r = 0; r < cr; ++r) sequence(false, tc);
    sequence(true, nullptr);  // warm-up
    for (int r = 0; r < gr; ++r) sequence(true, tg);
    for (int phase = 0; phase < 3; ++phase) {
      Timing t{names[phase], "4-bit SR noise, eps 1e-3", n};
      if (cr) t.cpu_ns = median(tc[phase]);
      t.gpu_ns = median(tg[phase]);
      t.cpu_reps = cr, t.gpu_reps = gr;
      t.bytes = 8.0 * n + 2.0 * n / 8;
      add_timing(t);
    }
  }
  {
    const size_t nd = 4;
    std::vector<uint32_t> seeds = {11, 12, 13, 14};
    std::vector<double> coef = {0.3, -0.7, 0.1, 0.05}, scales(nd), zeros(nd);
    for (size_t j = 0; j < nd; ++j) {
      const Quantizer q = other_quantizer(seeds[j], 1, n, 4);
      scales[j] = q.scale;
      zeros[j] = q.zero_point;
    }
    const UpdateDirections dirs{nd, seeds.data(), coef.data(), scales.data(), zeros.data(), 15.0};
    std::vector<float> p(in.begin(), in.end());
    Timing t{"update", "4 directions, 4-bit SR, wd 0.01", n};
    if (cr) t.cpu_ns = time_median(cr, [] {}, [&] { cpu::update(p.data(), n, 0, 1, dirs, 1e-3, 0.01); return true; }, cw);
    t.gpu_ns = time_median(gr, [] {}, [&] { return ok_or_count(other::update(p.data(), n, 0, 1, dirs, 1e-3, 0.01)); });
    t.cpu_reps = cr, t.gpu_reps = gr, t.bytes = 8.0 * n;
    add_timing(t);
  }
}

void time_matmul(size_t m, size_t k, size_t n, size_t rank, bool cpu_too) {
  const Int4Case c = make_int4(m, k, n, 32, true, rank, 7);
  std::vector<float> y(m * n);
  const int cr = cpu_too ? 3 : 0, gr = gpu_reps_for(k * n);
  Timing t{"matmul_int4", fmt("m=%zu k=%zu n=%zu bs=32 zp%s", m, k, n, rank ? fmt(" lora r%zu", rank).c_str() : ""),
           k * n};
  if (cr) t.cpu_ns = time_median(cr, [] {}, [&] { cpu::matmul_int4(c.x.data(), m, c.w(), c.lora(), y.data()); return true; });
  t.gpu_ns = time_median(gr, [] {}, [&] { return ok_or_count(other::matmul_int4(c.x.data(), m, c.w(), c.lora(), y.data())); });
  t.cpu_reps = cr, t.gpu_reps = gr;
  t.bytes = 4.0 * m * k + c.packed.size() + 5.0 * c.scales.size() + 4.0 * (c.a.size() + c.b.size()) + 4.0 * m * n;
  add_timing(t);
}

// What staging alone costs: cudaMalloc + H2D + D2H + cudaFree of n floats from pageable memory.
struct Staging {
  size_t floats;
  double ns;
};
std::vector<Staging> g_staging;
void time_staging(size_t n) {
  if (g_cpu_only) return;
  std::vector<float> h(n, 1.0f);
  const double ns = time_median(10, [] {}, [&] {
    float* d = nullptr;
    if (cudaMalloc(reinterpret_cast<void**>(&d), n * 4) != cudaSuccess) return false;
    cudaMemcpy(d, h.data(), n * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(h.data(), d, n * 4, cudaMemcpyDeviceToHost);
    cudaFree(d);
    return cudaGetLastError() == cudaSuccess;
  });
  g_staging.push_back({n, ns});
  std::printf("  staging reference: cudaMalloc + copy in + copy out + cudaFree of %zu floats: %.0f ns (%.2f GB/s)\n", n,
              ns, 8.0 * n / ns);
}

// ---------------------------------------------------------------------------------------------

bool write_json(const char* path, const cuda::DeviceInfo& dev, double first_call_ns, double elapsed_s, bool pass) {
  FILE* f = std::fopen(path, "w");
  if (!f) {
    std::fprintf(stderr, "cannot write %s: %s\n", path, std::strerror(errno));
    return false;
  }
  std::fprintf(f, "{\n  \"harness\": \"packages/runtime-cuda/native/test/gpu_parity.cu\",\n");
  std::fprintf(f, "  \"mode\": \"%s\",\n", g_cpu_only ? "cpu-only (cpu vs cpu: harness self-test)" : "cuda vs cpu");
  std::fprintf(f, "  \"faultInjected\": %s,\n", g_inject ? "true" : "false");
  std::fprintf(f,
               "  \"device\": {\"available\": %s, \"reason\": \"%s\", \"name\": \"%s\", \"computeCapability\": "
               "\"%d.%d\", \"totalMemory\": %zu, \"cudaRuntimeVersion\": %d, \"cudaDriverApiVersion\": %d, "
               "\"driver\": \"%s\"},\n",
               dev.available ? "true" : "false", json_escape(dev.reason).c_str(), json_escape(dev.name).c_str(),
               dev.major, dev.minor, dev.total_memory, dev.runtime_version, dev.driver_version,
               json_escape(g_driver).c_str());
  std::fprintf(f, "  \"pass\": %s,\n  \"elapsedSeconds\": %.2f,\n", pass ? "true" : "false", elapsed_s);
  std::fprintf(f, "  \"firstCudaCallNs\": %s,\n", json_num(first_call_ns).c_str());
  std::fprintf(f, "  \"stagingRows\": [");
  for (size_t i = 0; i < g_staging.size(); ++i)
    std::fprintf(f, "%s{\"floats\": %zu, \"ns\": %s}", i ? ", " : "", g_staging[i].floats,
                 json_num(g_staging[i].ns).c_str());
  std::fprintf(f, "],\n");
  std::fprintf(f, "  \"skippedTimings\": [");
  for (size_t i = 0; i < g_skipped.size(); ++i)
    std::fprintf(f, "%s\"%s\"", i ? ", " : "", json_escape(g_skipped[i]).c_str());
  std::fprintf(f, "],\n");
  std::fprintf(f, "  \"checks\": [\n");
  for (size_t i = 0; i < g_checks.size(); ++i) {
    const Check& c = g_checks[i];
    std::fprintf(f,
                 "    {\"kernel\": \"%s\", \"kind\": \"%s\", \"case\": \"%s\", \"size\": %zu, \"exact\": %s, "
                 "\"pass\": %s, \"compared\": %llu, \"mismatches\": %llu, \"nanPayloadDiffs\": %llu, "
                 "\"maxAbsDiff\": %s, \"boundUse\": %s, \"maxRelDiff\": %s, \"normRelDiff\": %s, \"firstMismatch\": \"%s\", "
                 "\"error\": \"%s\"}%s\n",
                 c.kernel.c_str(), c.kind.c_str(), json_escape(c.name).c_str(), c.size, c.exact ? "true" : "false",
                 c.pass() ? "true" : "false", (unsigned long long)c.diff.compared,
                 (unsigned long long)c.diff.mismatches, (unsigned long long)c.diff.nan_payload,
                 json_num(c.diff.max_abs).c_str(), json_num(c.bound_use).c_str(), json_num(c.max_rel).c_str(),
                 json_num(c.norm_rel).c_str(),
                 json_escape(c.diff.first).c_str(), json_escape(c.error).c_str(),
                 i + 1 < g_checks.size() ? "," : "");
  }
  std::fprintf(f, "  ],\n  \"timings\": [\n");
  for (size_t i = 0; i < g_timings.size(); ++i) {
    const Timing& t = g_timings[i];
    std::fprintf(f,
                 "    {\"kernel\": \"%s\", \"config\": \"%s\", \"size\": %zu, \"cpuNs\": %s, \"gpuNs\": %s, "
                 "\"cpuOverGpu\": %s, \"cpuReps\": %d, \"gpuReps\": %d, \"hostBytes\": %.0f}%s\n",
                 t.kernel.c_str(), json_escape(t.config).c_str(), t.size, json_num(t.cpu_ns).c_str(),
                 json_num(t.gpu_ns).c_str(), json_num(t.cpu_ns / t.gpu_ns).c_str(), t.cpu_reps, t.gpu_reps, t.bytes,
                 i + 1 < g_timings.size() ? "," : "");
  }
  std::fprintf(f, "  ]\n}\n");
  std::fclose(f);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* json_path = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--cpu-only") {
      g_cpu_only = true;
    } else if (a == "--inject-fault") {
      g_inject = true;
    } else if (a == "--no-timing") {
      g_timing = false;
    } else if (a == "--max-size" && i + 1 < argc) {
      g_max_size = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--budget-s" && i + 1 < argc) {
      g_budget_s = std::strtod(argv[++i], nullptr);
    } else if (a == "--driver" && i + 1 < argc) {
      g_driver = argv[++i];
    } else if (!a.empty() && a[0] != '-' && !json_path) {
      json_path = argv[i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--cpu-only] [--max-size N] [--no-timing] [--budget-s S] [--inject-fault] [--driver TEXT] [out.json]\n",
                   argv[0]);
      return 3;
    }
  }
  const double t_start = now_ns();
  double first_call_ns = NAN;
  cuda::DeviceInfo dev{};
  if (g_cpu_only) {
    dev.reason = "not probed (--cpu-only)";
    std::printf("mode: --cpu-only: the CPU kernels on both sides (tests the harness, not the GPU)\n");
  } else {
    const double t0 = now_ns();
    dev = cuda::probe();
    first_call_ns = now_ns() - t0;
    if (!dev.available) {
      std::printf("gpu_parity: %s (CUDA runtime %d, driver API %d). Use --cpu-only to test the harness.\n",
                  dev.reason.c_str(), dev.runtime_version, dev.driver_version);
      if (json_path) write_json(json_path, dev, first_call_ns, (now_ns() - t_start) / 1e9, false);
      return 2;
    }
    std::printf("device: %s, sm_%d%d, %.1f GiB, CUDA runtime %d, driver API %d%s%s (probe incl. context: %.1f ms)\n",
                dev.name.c_str(), dev.major, dev.minor, dev.total_memory / 1073741824.0, dev.runtime_version,
                dev.driver_version, g_driver.empty() ? "" : ", driver ", g_driver.c_str(), first_call_ns / 1e6);
  }
  if (g_inject) std::printf("--inject-fault: the other side's outputs are damaged; this run must fail\n");
  std::fflush(stdout);

  std::printf("\n== correctness (cpu = reference, other = %s) ==\n", g_cpu_only ? "cpu" : "cuda");
  check_gaussian();
  check_gaussian_range();
  check_stochastic_round();
  check_perturb();
  check_update();
  check_matmul();

  size_t failed = 0;
  for (const Check& c : g_checks) failed += c.pass() ? 0 : 1;
  std::printf("\ncorrectness: %zu checks, %zu failed (%.1f s)\n", g_checks.size(), failed, (now_ns() - t_start) / 1e9);

  if (g_timing) {
    std::printf("\n== timing (host to host, staging included; median ns) ==\n");
    auto elapsed_s = [&] { return (now_ns() - t_start) / 1e9; };
    auto skip = [&](const char* what, double predicted_s) {
      if (elapsed_s() + predicted_s <= g_budget_s) return false;
      std::printf("  %s: skipped, predicted %.0f s would pass --budget-s %.0f (at %.0f s)\n", what, predicted_s,
                  g_budget_s, elapsed_s());
      g_skipped.push_back(what);
      return true;
    };
    const size_t mid = std::min<size_t>(1u << 20, g_max_size);
    const double t_mid0 = now_ns();
    time_staging(mid);
    time_elementwise(mid, true);
    const double mid_s = (now_ns() - t_mid0) / 1e9;
    if (!skip("matmul_int4 timing", 15.0)) {
      time_matmul(1, 4096, 4096, 0, true);
      time_matmul(16, 4096, 4096, 16, true);
    }
    // 16x the elements, 3 CPU reps instead of 5 and no CPU warm-up: about 16 * 3/6 of the 1M section.
    if (big() && !skip("16M-element timing", mid_s * 8.0)) {
      time_staging(1u << 24);
      time_elementwise(1u << 24, true);
    }
    if (big() && !g_cpu_only && !skip("64M-element GPU timing", 30.0)) {
      std::printf("  larger size, GPU only (no CPU baseline at this size):\n");
      time_staging(1u << 26);
      time_elementwise(1u << 26, false);
    }
  }
  const double elapsed = (now_ns() - t_start) / 1e9;
  const bool pass = failed == 0 && g_cuda_errors == 0;
  std::printf("\n%s: %zu checks, %zu failed, %d CUDA errors during timing, %.1f s\n", pass ? "PASS" : "FAIL",
              g_checks.size(), failed, g_cuda_errors, elapsed);
  if (json_path && !write_json(json_path, dev, first_call_ns, elapsed, pass)) return 3;
  if (json_path) std::printf("wrote %s\n", json_path);
  return pass ? 0 : (failed ? 1 : 3);
}
