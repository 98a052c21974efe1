// The CUDA kernel bodies run on the CPU over simulated grids: the exact __host__ __device__
// code each __global__ wrapper calls, for every thread index of grids of several shapes, checked
// against the float64 reference with the registry's tolerance for that variant. Runs without a
// GPU. (half2's host side is a model of the device math: see kernels/cuda/bodies/half2.cuh. So is
// every body whose trait calls expf, erff or expm1f through the backend: the host runs glibc's
// where the device runs CUDA's, both documented within 2 ULP; the polynomial expm1 of
// AccurateMath/FastMath and the arithmetic of the rest are the same operations on both sides.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "families.cuh"
#include "test_support.hpp"

using namespace elubench;
using namespace elubench::cuda;

namespace {

// Runs a variant's bodies, in launch order, for thread indices 0..nthreads-1.
using Sim = void (*)(const RunArgs&, size_t nthreads);

template <class Body, class T> void sim_body(const Args<T>& a, size_t nthreads) {
  for (size_t t = 0; t < nthreads; ++t) Body::run(t, nthreads, a);
}
// Kernels on one stream: each starts after every thread of the one before finished.
template <class Family, Activation A, Dtype D> void simulate(const RunArgs& r, size_t nthreads) {
  const auto a = typed<storage_t<D>>(r);
  [&]<class... Body>(Bodies<Body...>) { (sim_body<Body>(a, nthreads), ...); }(typename Family::template bodies<A>{});
}

// Every (activation, dtype) a family has, by registry name: the same families and predicates
// that the kernel files launch (families.cuh), so a registered kernel without a simulation, or a
// simulation of nothing registered, fails EveryGpuKernelIsSimulated.
template <class Family> void add_sims(std::map<std::string, Sim>& m) {
  for (Activation a : all_activations())
    for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16}) {
      const Sim sim = dispatch(a, d, []<class P>(P) -> Sim {
        if constexpr (Family::template has<P::activation, P::dtype>) return &simulate<Family, P::activation, P::dtype>;
        else return nullptr;
      });
      if (sim) m.emplace(variant_name(Device::gpu, a, Family::name, d), sim);
    }
}

const std::map<std::string, Sim>& sims() {
  static const std::map<std::string, Sim> m = [] {
    std::map<std::string, Sim> out;
#define EB_ADD_SIMS(F) add_sims<F>(out);
    ELUBENCH_GPU_BODY_FAMILIES(EB_ADD_SIMS)
#undef EB_ADD_SIMS
    return out;
  }();
  return m;
}

// GPU rows whose code is not one of our bodies: library calls and the driver's copy.
bool is_library_call(const Variant& v) { return v.kind == Kind::peer || v.variant == "memcpy"; }

struct Case {
  const Variant* v;
  Sim sim;
};
// keep: which variants a test suite applies to (suites are instantiated only where they apply,
// so CTest shows no skips standing in for "does not apply").
std::vector<Case> cases(bool (*keep)(const Variant&) = nullptr) {
  std::vector<Case> out;
  for (const Variant& v : all_variants()) {
    if (v.device != Device::gpu || is_library_call(v) || (keep && !keep(v))) continue;
    const auto it = sims().find(v.name);
    out.push_back({&v, it == sims().end() ? nullptr : it->second});
  }
  return out;
}
// Names the case in test listings (CTest's test names) instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.v->name; }
std::string case_name(const testing::TestParamInfo<Case>& info) {
  return test_support::param_name(info.param.v->name);
}

using test_support::kEdges;

// n elements: normal(0, 3), a log-uniform sweep of negatives from 2^-30 to 32 (the range where
// expm1 cancels or bends), and the edge values every 61 elements (head, packs and tail all see
// them, whatever the alignment).
std::vector<unsigned char> make_input(Dtype d, size_t n, unsigned seed) {
  std::vector<unsigned char> buf(n * dtype_size(d));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::uniform_real_distribution<float> expo(-30.0f, 5.0f);
  for (size_t i = 0; i < n; ++i) {
    float v;
    if (i % 61 == 0) v = kEdges[(i / 61) % std::size(kEdges)];
    else if (i % 3 == 0) v = -std::exp2(expo(rng));
    else v = normal(rng);
    store_from_float(buf.data(), i, d, v);
  }
  return buf;
}

// dy for a backward row: normal(0, 2), every 7th element 1 (dx is then f' itself) and every
// 11th -0.0; finite, so that dy * f' = 0 * inf never stands in for a real comparison.
std::vector<unsigned char> make_grad(Dtype d, size_t n, unsigned seed) {
  std::vector<unsigned char> buf(n * dtype_size(d));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (size_t i = 0; i < n; ++i) store_from_float(buf.data(), i, d, i % 7 == 0 ? 1.0f : i % 11 == 0 ? -0.0f : normal(rng));
  return buf;
}

// Worst ULP seen per variant, over every case in this process, for the table.
std::map<std::string, double>& max_ulps() {
  static std::map<std::string, double> m;
  return m;
}

struct Layout {
  size_t x_off = 0, y_off = 0;  // elements; different offsets force the scalar fallback
  size_t g_off = kSameAsX;      // dy's offset (backward rows); by default x's
  static constexpr size_t kSameAsX = ~size_t{0};
  size_t grad_off() const { return g_off == kSameAsX ? x_off : g_off; }
};

// n elements placed `off` elements into a 16-byte-aligned buffer (offsets are the only misalignment).
struct Placed {
  std::vector<float4> storage;
  unsigned char* at;
  Placed(const std::vector<unsigned char>& bytes, size_t off, size_t es)
      : storage((bytes.size() + 16 * es + 32) / 16 + 2) {
    at = reinterpret_cast<unsigned char*>(storage.data()) + off * es;
    std::memcpy(at, bytes.data(), bytes.size());
  }
};

// Runs the simulated grid on n elements of x placed `x_off` elements into their buffer, checks
// against the reference, and that nothing outside y[0, n) was written. A backward row reads the
// saved tensor made from x (the forward's output where the trait saves it, make_saved_input) and
// dy (normal, placed at g_off).
void run_case(const Case& c, size_t n, size_t nthreads, float alpha, Layout lay, size_t cols = 0,
              const std::vector<unsigned char>* x_in = nullptr) {
  const Variant& v = *c.v;
  const size_t es = dtype_size(v.dtype);
  const ActivationParams params = test_support::params_for(v, alpha);  // alpha: the sweep's knob
  std::vector<float4> ys((n * es + 16 * es + 32) / 16 + 2);
  auto* yb = reinterpret_cast<unsigned char*>(ys.data());
  std::memset(yb, 0xAB, ys.size() * sizeof(float4));
  auto x = x_in ? *x_in : make_input(v.dtype, n, 1234u + static_cast<unsigned>(n));
  std::vector<unsigned char> dy;
  if (v.is_backward()) {
    std::vector<unsigned char> saved(x.size());
    make_saved_input(v, x.data(), saved.data(), n, params);
    x = std::move(saved);
    dy = make_grad(v.dtype, n, 4321u + static_cast<unsigned>(n));
  }
  const Placed xp(x, lay.x_off, es), gp(dy, lay.grad_off(), es);
  std::vector<float4> bs(4096);
  RunArgs a;
  a.x = xp.at;
  a.y = yb + lay.y_off * es;
  a.n = n;
  a.params = params;
  if (v.is_backward()) a.grad = gp.at;
  if (v.uses_bias) {
    ASSERT_GT(cols, 0u);
    const auto b = make_input(v.dtype, cols, 99u + static_cast<unsigned>(cols));
    // The bias at the same offset as x: aligned with x or misaligned with it.
    std::memcpy(reinterpret_cast<unsigned char*>(bs.data()) + lay.x_off * es, b.data(), cols * es);
    a.bias = reinterpret_cast<unsigned char*>(bs.data()) + lay.x_off * es;
    a.cols = cols;
  }
  c.sim(a, nthreads);
  const CheckResult r = check_against_reference(v, a.x, a.y, n, params, a.bias, a.cols, a.grad);
  EXPECT_TRUE(r.ok) << r.message << " [n=" << n << " threads=" << nthreads << " "
                    << test_support::describe(v, params) << " x_off=" << lay.x_off << " y_off=" << lay.y_off
                    << " dy_off=" << lay.grad_off() << " cols=" << cols << "]";
  double& worst = max_ulps()[v.name];
  worst = std::max(worst, r.max_ulp);
  for (size_t i = 0; i < lay.y_off * es; ++i) ASSERT_EQ(yb[i], 0xAB) << "wrote before y";
  for (size_t i = (lay.y_off + n) * es; i < ys.size() * sizeof(float4); ++i) ASSERT_EQ(yb[i], 0xAB) << "wrote after y";
}

class CudaBody : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    ASSERT_NE(GetParam().sim, nullptr) << GetParam().v->name
                                       << " is in the registry but has no simulated body in this test";
  }
};

// 163 * 1609 = 2^18 + 123: not a multiple of any vector width, several main-loop steps of the
// 2560-thread grid, and rows of 163 bias columns (odd, not a multiple of the vector width).
constexpr size_t kLargeCols = 163, kLargeN = 163 * 1609;

// The sweep's knob values a row is run with (test_support::params_for): the sweep where the
// activation declares a parameter (ELU's alpha, Leaky ReLU's slope), 1 (the defaults) elsewhere, where another value would
// repeat the same computation (118 simulated rows: the test must stay within test.sh's budget).
std::vector<float> alphas_for(const Variant& v, std::initializer_list<float> sweep) {
  if (!v.params().empty()) return sweep;
  return {1.0f};
}

// One thread, one warp, a grid smaller than the data, a grid larger than the data.
std::vector<size_t> grids_for(size_t n) { return {1, 32, 100, 4 * n + 64}; }

TEST_P(CudaBody, SmallSizesAllGridsAlphasAndAlignments) {
  const Case& c = GetParam();
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{4097}})
    for (size_t nt : grids_for(n))
      for (float alpha : alphas_for(*c.v, {0.0f, 0.5f, 1.0f, 2.0f}))
        for (Layout lay : {Layout{0, 0}, Layout{1, 1}, Layout{0, 1}, Layout{3, 3}, Layout{2, 2, 1}}) {
          if (lay.g_off != Layout::kSameAsX && !c.v->is_backward()) continue;  // only a backward reads dy
          size_t cols = 0;
          if (c.v->uses_bias) cols = n % 17 == 0 ? 17 : n == 4097 ? 241 : n == 0 ? 1 : n;  // 4097 = 17 * 241
          run_case(c, n, nt, alpha, lay, cols);
          if (HasFatalFailure()) return;
        }
}

TEST_P(CudaBody, LargeOddSize) {
  const Case& c = GetParam();
  const size_t n = kLargeN;
  for (size_t nt : {size_t{32}, size_t{2560}, size_t{1} << 21})
    for (Layout lay : {Layout{0, 0}, Layout{1, 1}})
      run_case(c, n, nt, nt == 32 ? 0.5f : 1.0f, lay, c.v->uses_bias ? kLargeCols : 0);
}

class CudaBiasBody : public CudaBody {};
TEST_P(CudaBiasBody, BiasShapes) {
  const Case& c = GetParam();
  // cols multiple of 8 (bias read as 16-byte packs when aligned), odd cols, cols > rows.
  const std::pair<size_t, size_t> shapes[] = {{1, 1}, {7, 3}, {5, 33}, {129, 8}, {17, 64}, {3, 4097}, {64, 24}};
  for (auto [rows, cols] : shapes)
    for (size_t nt : {size_t{1}, size_t{32}, size_t{1000}})
      for (Layout lay : {Layout{0, 0}, Layout{1, 1}, Layout{0, 1}})
        for (float alpha : alphas_for(*c.v, {1.0f, 0.5f})) run_case(c, rows * cols, nt, alpha, lay, cols);
}

// f16 / bf16: every one of the 65,536 bit patterns as input, aligned and not (f32 is covered
// by the sweeps).
class Cuda16BitBody : public CudaBody {};
TEST_P(Cuda16BitBody, Exhaustive16Bit) {
  const Case& c = GetParam();
  const auto x = test_support::all_16bit_patterns();
  for (float alpha : alphas_for(*c.v, {1.0f, 0.5f, 2.0f, 0.0f}))
    for (Layout lay : {Layout{0, 0}, Layout{1, 1}})
      run_case(c, 65536, 4096, alpha, lay, c.v->uses_bias ? 8 : 0, &x);
}

INSTANTIATE_TEST_SUITE_P(Registry, CudaBody, testing::ValuesIn(cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Registry, CudaBiasBody,
                         testing::ValuesIn(cases([](const Variant& v) { return v.uses_bias; })), case_name);
INSTANTIATE_TEST_SUITE_P(Registry, Cuda16BitBody,
                         testing::ValuesIn(cases([](const Variant& v) { return v.dtype != Dtype::f32; })),
                         case_name);

// Every registered GPU variant that is our own code has a simulated body here (a new kernel
// without one fails), and the library calls are the only ones without.
TEST(CudaBodies, EveryGpuKernelIsSimulated) {
  size_t gpu_rows = 0;
  for (const Variant& v : all_variants()) {
    if (v.device != Device::gpu) continue;
    ++gpu_rows;
    if (!is_library_call(v)) EXPECT_TRUE(sims().count(v.name)) << v.name << " has no simulated body";
  }
  EXPECT_GT(gpu_rows, 0u) << "built with CUDA but the registry has no GPU rows";
  for (const auto& [name, sim] : sims()) EXPECT_NE(find_variant(name), nullptr) << name << " is not registered";
}

// half2's exp2 on the device is approximate; the host model is correctly rounded. Run the
// exhaustive check again with the model's exp2 off by the instruction's worst relative error in
// both directions: 2^-9.9 for ex2.approx.f16x2 (PTX ISA); for bf16 (ex2.approx.ftz.bf16x2 on
// sm_90, f32 ex2 on sm_80) we assume 2^-7, a full bf16 ULP, having no documented figure.
TEST(CudaBodies, Half2BoundHoldsUnderDeviceExp2Error) {
  const auto x16 = test_support::all_16bit_patterns();
  for (const Case& c : cases()) {
    if (c.v->variant != "half2" || c.v->activation != Activation::elu) continue;
    const float err = c.v->dtype == Dtype::f16 ? std::exp2(-9.9f) : std::exp2(-7.0f);
    for (float e : {err, -err})
      for (float alpha : {1.0f, 0.5f, 2.0f}) {
        half2_host_exp2_rel_error = e;
        run_case(c, 65536, 4096, alpha, Layout{0, 0}, 0, &x16);
        half2_host_exp2_rel_error = 0.0f;
      }
    std::printf("%s with exp2 relative error +-%g: max ULP %g\n", c.v->name.c_str(),
                c.v->dtype == Dtype::f16 ? std::exp2(-9.9) : std::exp2(-7.0), max_ulps()[c.v->name]);
  }
}

// The closing-note table: the worst ULP each simulated variant showed over the full sweep
// (exhaustive 16-bit, 2^18 + 123 mixed f32 inputs; alpha/slope at 1 and 0.5 where read, bias cols 163).
TEST(CudaBodies, MaxUlpTable) {
  const auto x16 = test_support::all_16bit_patterns();
  for (const Case& c : cases()) {
    if (!c.sim) continue;
    for (float alpha : alphas_for(*c.v, {1.0f, 0.5f})) {
      if (c.v->dtype == Dtype::f32) run_case(c, kLargeN, 4096, alpha, Layout{1, 1}, c.v->uses_bias ? kLargeCols : 0);
      else run_case(c, 65536, 4096, alpha, Layout{0, 0}, c.v->uses_bias ? 8 : 0, &x16);
    }
  }
  std::printf("\n%-32s %-12s %s\n", "variant", "accuracy", "max ULP (simulated body)");
  for (const auto& [name, ulp] : max_ulps()) {
    const Variant* v = find_variant(name);
    std::printf("%-32s %-12s %g\n", name.c_str(), std::string(to_string(v->accuracy)).c_str(), ulp);
  }
}

}  // namespace
