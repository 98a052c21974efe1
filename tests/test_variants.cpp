// Every CPU variant in the registry against the float64 reference, with the design's
// tolerances (elubench::tolerance_for). The cases come from the registry, so a variant added
// there is tested here without touching this file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "elubench/activations.hpp"
#include "elubench/cpu.hpp"
#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "expm1_forms.hpp"
#include "cpu_variants.hpp"
#include "simd_targets.hpp"
#include "test_support.hpp"

using namespace elubench;

namespace {

// The CPU variants for which `keep` holds: each test suite below is instantiated only for the
// variants it applies to, so CTest shows no skips standing in for "does not apply".
template <class Pred>
std::vector<const Variant*> cpu_variants(Pred keep) {
  std::vector<const Variant*> out;
  for (const Variant& v : all_variants())
    if (v.device == Device::cpu && keep(v)) out.push_back(&v);
  return out;
}
std::vector<const Variant*> cpu_variants() {
  return cpu_variants([](const Variant&) { return true; });
}

std::string test_name(const testing::TestParamInfo<const Variant*>& info) {
  return test_support::param_name(info.param->name);
}

// The edge cases every variant sees at the front of its input.
using test_support::kEdges;
using test_support::known_peer_refuses_alpha;
using test_support::param_sweep;

// Known, pinned deviations of library peers from the reference on edge cases, outside any
// bound the library documents. They are findings, reported (and asserted to still happen,
// so that a fixed library is noticed) rather than hidden by a looser tolerance.
// oneDNN 2.6's eltwise_relu computes max(x, 0) with a NaN-dropping max: NaN -> 0; so does
// XNNPACK's clamp operator (f32 and f16), which TensorFlow Lite runs as ReLU.
bool known_peer_nan_deviation(const Variant& v) {
  return v.activation == Activation::relu && (v.variant == "onednn" || v.variant == "xnnpack");
}

// Input of n elements of dtype d: a normal(0, 3) sweep plus the edge cases at the front.
std::vector<unsigned char> make_input(Dtype d, std::size_t n, unsigned seed, bool with_edges = true) {
  std::vector<unsigned char> buf(n * dtype_size(d));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const float v = (with_edges && i < std::size(kEdges)) ? kEdges[i] : normal(rng);
    store_from_float(buf.data(), i, d, v);
  }
  return buf;
}

using test_support::all_16bit_patterns;

// Replaces NaN inputs by 0 in both x and y for a variant with a pinned NaN deviation, after
// asserting that the deviation is still what we say it is. Returns how many were replaced.
std::size_t excuse_known_nan_deviation(const Variant& v, std::vector<unsigned char>& xcopy, void* y,
                                       std::size_t n) {
  if (!known_peer_nan_deviation(v)) return 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isnan(load_as_float(xcopy.data(), i, v.dtype))) continue;
    EXPECT_EQ(load_as_float(y, i, v.dtype), 0.0f) << v.name << ": the pinned NaN -> 0 deviation changed";
    store_from_float(xcopy.data(), i, v.dtype, 0.0f);
    store_from_float(y, i, v.dtype, 0.0f);
    ++count;
  }
  return count;
}

// A copy of n elements of dtype d placed at the same offset from a 64-byte boundary as `like`,
// so a backward's saved tensor and dy are as misaligned as the x the test chose.
struct Placed {
  std::vector<unsigned char> storage;
  unsigned char* data = nullptr;
  Placed(std::size_t bytes, const void* like) : storage(bytes + 64) {
    const auto base = reinterpret_cast<std::uintptr_t>(storage.data());
    const std::size_t shift = (reinterpret_cast<std::uintptr_t>(like) - base) % 64;
    data = storage.data() + shift;
  }
};

// The arguments of a plain forward call: n elements of x into y.
RunArgs forward_args(const void* x, void* y, std::size_t n, float alpha) {
  RunArgs a;
  a.x = x;
  a.y = y;
  a.n = n;
  a.params = test_support::with_alpha(alpha);
  return a;
}

// Runs v on x (n elements; bias variants: rows x cols) and checks it. x and y may be offset.
// A backward reads x's saved tensor (make_saved_input) and a normal(0, 3) dy.
CheckResult run_checked(const Variant& v, const void* x, void* y, std::size_t n, const ActivationParams& p,
                        int threads, const void* bias, std::size_t cols) {
  const std::size_t bytes = n * dtype_size(v.dtype);
  Placed saved(v.is_backward() ? bytes : 0, x), dy(v.is_backward() ? bytes : 0, x);
  if (v.is_backward()) {
    make_saved_input(v, x, saved.data, n, p);
    const auto g = make_input(v.dtype, n, 777u, false);
    if (bytes != 0) std::memcpy(dy.data, g.data(), bytes);  // n = 0: g.data() may be null
    x = saved.data;
  }
  RunArgs a;
  a.x = x;
  a.y = y;
  a.n = n;
  a.params = p;
  a.threads = threads;
  a.bias = bias;
  a.cols = cols;
  a.grad = v.is_backward() ? dy.data : nullptr;
  if (known_peer_refuses_alpha(v, p[0])) {
    EXPECT_THROW(v.run(a), std::runtime_error) << v.name << ": the pinned refusal of alpha=" << p[0] << " changed";
    return {};
  }
  v.run(a);
  std::vector<unsigned char> xcopy(static_cast<const unsigned char*>(x), static_cast<const unsigned char*>(x) + bytes);
  excuse_known_nan_deviation(v, xcopy, y, n);
  return check_against_reference(v, xcopy.data(), y, n, p, bias, cols, a.grad);
}

class CpuVariant : public testing::TestWithParam<const Variant*> {
 protected:
  // Runs the variant on n elements starting `offset` elements into the buffers (offset 1 makes
  // every pointer misaligned for SIMD), then checks against the reference and that nothing
  // outside [offset, offset + n) was written. Returns the worst ULP distance seen.
  double run_and_check(std::size_t n, const ActivationParams& p, std::size_t offset, int threads, std::size_t cols = 0) {
    const Variant& v = *GetParam();
    const std::size_t es = dtype_size(v.dtype);
    auto x = make_input(v.dtype, n + offset, 1234u + static_cast<unsigned>(n));
    const std::size_t guard = 8;
    std::vector<unsigned char> y((n + offset + guard) * es, 0xAB);
    std::vector<unsigned char> bias;
    if (v.uses_bias) {
      if (cols == 0) cols = 33;
      if (n % cols != 0) cols = 1;
      bias = make_input(v.dtype, cols + offset, 99, false);
    }
    const CheckResult r = run_checked(v, x.data() + offset * es, y.data() + offset * es, n, p, threads,
                                      v.uses_bias ? bias.data() + offset * es : nullptr, cols);
    EXPECT_TRUE(r.ok) << r.message << " [n=" << n << " " << test_support::describe(v, p) << " offset=" << offset
                      << " threads=" << threads << " cols=" << cols << "]";
    for (std::size_t i = 0; i < offset * es; ++i) EXPECT_EQ(y[i], 0xAB) << "wrote before the output";
    for (std::size_t i = (n + offset) * es; i < y.size(); ++i) EXPECT_EQ(y[i], 0xAB) << "wrote past the output";
    return r.max_ulp;
  }
};

TEST_P(CpuVariant, MatchesReferenceAcrossSizesAndAlphas) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4097}})
    for (const ActivationParams& p : param_sweep(*GetParam()))
      for (std::size_t offset : {0, 1})
        for (int threads : {1, 2}) run_and_check(n, p, offset, threads);
}

TEST_P(CpuVariant, LargeMultithreaded) {
  // 2^20 + 3 is above parallel_for's threshold, so threads = 2 really splits the range and the
  // second chunk ends in an odd tail.
  for (const ActivationParams& p : param_sweep(*GetParam()))
    for (int threads : {1, 2}) run_and_check((std::size_t{1} << 20) + 3, p, 1, threads);
}

class CpuBiasVariant : public CpuVariant {};
TEST_P(CpuBiasVariant, OddColumnCounts) {
  for (std::size_t cols : {std::size_t{1}, std::size_t{3}, std::size_t{33}, std::size_t{4097}})
    for (std::size_t rows : {std::size_t{1}, std::size_t{5}, std::size_t{70}})
      for (const ActivationParams& p : param_sweep(*GetParam(), {0.5f, 1.0f, 2.0f}))
        for (std::size_t offset : {0, 1}) run_and_check(rows * cols, p, offset, 1, cols);
  // Large enough that two threads each start and end mid-row.
  run_and_check(300 * 4097, default_params(GetParam()->activation), 1, 2, 4097);
}

// Every 65,536 inputs of a 16-bit row, for every parameter of its sweep. A bias row gets 256
// columns of small biases: every input pattern meets a bias, and many sums land near 0 where
// ELU's relative accuracy is hardest.
void check_all_16bit_inputs(const Variant& v) {
  auto x = all_16bit_patterns();
  std::vector<unsigned char> y(x.size());
  std::vector<unsigned char> bias;
  std::size_t cols = 0;
  if (v.uses_bias) {
    cols = 256;
    bias = make_input(v.dtype, cols, 7, false);
    for (std::size_t c = 0; c < cols; ++c)
      store_from_float(bias.data(), c, v.dtype, load_as_float(bias.data(), c, v.dtype) / 64.0f);
  }
  for (const ActivationParams& p : param_sweep(v)) {
    const CheckResult r = run_checked(v, x.data(), y.data(), 65536, p, 1, bias.empty() ? nullptr : bias.data(), cols);
    EXPECT_TRUE(r.ok) << r.message << " [" << test_support::describe(v, p) << "]";
  }
}

// f32 is not exhaustible; the sweeps above cover it.
class Cpu16BitVariant : public CpuVariant {};
TEST_P(Cpu16BitVariant, ExhaustiveOverAll65536Inputs) { check_all_16bit_inputs(*GetParam()); }

// Activations without a bias: copy has no edge cases, and bias variants shift their input.
class CpuActivationVariant : public CpuVariant {};
TEST_P(CpuActivationVariant, EdgeCasesByName) {
  // The reference check covers these through ULPs; this spells out the ones the design names,
  // so a failure says which promise broke.
  const Variant& v = *GetParam();
  const std::size_t n = std::size(kEdges);
  std::vector<unsigned char> x(n * dtype_size(v.dtype)), y(x.size());
  for (std::size_t i = 0; i < n; ++i) store_from_float(x.data(), i, v.dtype, kEdges[i]);
  const float alpha = 0.5f;
  v.run(forward_args(x.data(), y.data(), n, alpha));
  auto out = [&](float e) {
    for (std::size_t i = 0; i < n; ++i)
      if (std::memcmp(&kEdges[i], &e, sizeof e) == 0 || (std::isnan(e) && std::isnan(kEdges[i])))
        return load_as_float(y.data(), i, v.dtype);
    ADD_FAILURE() << "no such edge";
    return 0.0f;
  };
  if (known_peer_nan_deviation(v))
    EXPECT_EQ(out(NAN), 0.0f) << "pinned finding changed";
  else
    EXPECT_TRUE(std::isnan(out(NAN))) << "NaN must stay NaN";
  EXPECT_EQ(out(INFINITY), INFINITY);
  if (v.activation == Activation::elu) {
    EXPECT_EQ(out(-INFINITY), -alpha);
    EXPECT_EQ(out(-30.0f), -alpha) << "saturation below -17.33";
    EXPECT_EQ(out(-200.0f), -alpha);
    if (v.dtype == Dtype::f32 && v.accuracy != Accuracy::library) {
      // exp(x) - 1 would give 0 here; expm1 gives x.
      EXPECT_NEAR(out(-1e-8f), -0.5e-8f, 1e-15f) << "cancellation near 0";
      EXPECT_EQ(out(-1e-40f), 0.5f * -1e-40f) << "subnormal input";
    }
    EXPECT_EQ(out(-0.0f), 0.0f);
  } else if (v.activation == Activation::relu) {
    EXPECT_EQ(out(-INFINITY), 0.0f);
    // Ours promise +0; Eigen's cwiseMax follows std::max and returns -0 (0 ULP apart, so
    // within the library class, and not asserted for peers).
    if (v.kind != Kind::peer) EXPECT_FALSE(std::signbit(out(-0.0f))) << "relu(-0) is +0";
    EXPECT_EQ(out(-1e-40f), 0.0f);
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, CpuVariant, testing::ValuesIn(cpu_variants()), test_name);
INSTANTIATE_TEST_SUITE_P(Registry, CpuBiasVariant,
                         testing::ValuesIn(cpu_variants([](const Variant& v) { return v.uses_bias; })), test_name);
INSTANTIATE_TEST_SUITE_P(Registry, Cpu16BitVariant,
                         testing::ValuesIn(cpu_variants([](const Variant& v) { return v.dtype != Dtype::f32; })),
                         test_name);
INSTANTIATE_TEST_SUITE_P(Registry, CpuActivationVariant, testing::ValuesIn(cpu_variants([](const Variant& v) {
                           return v.activation != Activation::copy && !v.uses_bias && !v.is_backward();
                         })),
                         test_name);

// The kernel that a CPU whose best SIMD target is `target` runs for row v.
Variant on_target(const Variant& v, const std::string& target) {
  Variant w = v;
  w.kernel = cpu::kernel_for_target(v, target);
  return w;
}

// f32 inputs that reach every branch of the expm1 forms: 2^16 floats evenly spaced by bit pattern
// over [-18, 0) (every binade: each N of the range reduction, the region near 0, subnormals),
// 2^12 positive ones, normal(0, 3) and the edges; n a multiple of 64 (bias rows' columns).
std::vector<unsigned char> f32_sweep() {
  std::vector<float> v(std::begin(kEdges), std::end(kEdges));
  const std::uint32_t lo = 0x80000001u, hi = float_to_bits(-18.0f);
  for (std::uint64_t k = 0; k < (1u << 16); ++k)
    v.push_back(bits_to_float(lo + static_cast<std::uint32_t>(((hi - lo) * k) >> 16)));
  for (std::uint32_t k = 0; k < (1u << 12); ++k) v.push_back(bits_to_float(0x00000001u + k * (0x41900000u >> 12)));
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  while (v.size() % 64 != 0) v.push_back(normal(rng));
  std::vector<unsigned char> out(v.size() * sizeof(float));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// On every SIMD target with FMA (AVX2 and up) the f32 ELU of `vectorized` and `fast` computes
// exactly the scalar model of its target's expm1 form (cpu::elu_model), bit for bit, alpha 0.5,
// 1 and 2: the model documents each form, and a form changed on any target shows here.
TEST(Expm1Model, EveryFmaTargetMatchesTheScalarModelOfItsForm) {
  using cpu::Expm1Need;
  const auto x = f32_sweep();
  const std::size_t n = x.size() / sizeof(float);
  std::vector<float> y(n);
  int checked = 0;
  for (const std::string& target : cpu::simd_targets()) {
    if (target.rfind("AVX", 0) != 0) continue;  // no FMA: Highway rounds a MulAdd's product first
    for (auto [name, need] : {std::pair{"cpu/elu/vectorized/f32", Expm1Need::accurate_f32},
                              std::pair{"cpu/elu/fast/f32", Expm1Need::fast_f32}}) {
      const char* form = cpu::with_target(target, [need = need] { return cpu::expm1_form_name(need); });
      const cpu::EluModel model = cpu::elu_model_named(form);
      ASSERT_NE(model, nullptr) << form;
      const Variant v = on_target(*find_variant(name), target);
      for (float alpha : {0.5f, 1.0f, 2.0f}) {
        v.run(forward_args(x.data(), y.data(), n, alpha));
        for (std::size_t i = 0; i < n; ++i) {
          const float xi = load_as_float(x.data(), i, Dtype::f32), want = model(xi, alpha);
          if (std::isnan(want)) ASSERT_TRUE(std::isnan(y[i])) << name << " on " << target << " x=" << xi;
          else ASSERT_EQ(float_to_bits(y[i]), float_to_bits(want)) << name << " on " << target << " (" << form
                                                                   << ") x=" << xi << " alpha=" << alpha;
        }
      }
      ++checked;
    }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD target with FMA on this CPU";
}

// The accuracy classes on every SIMD target this build and CPU have, not only the one dispatched
// here (which the suites above also run): each of our Highway rows as a CPU whose best target it
// is runs it, 16-bit rows on all 65,536 inputs, f32 rows on f32_sweep. One test per target.
class CpuSimdTarget : public testing::TestWithParam<std::string> {};
TEST_P(CpuSimdTarget, EveryRowKeepsItsBound) {
  const auto x = f32_sweep();
  const std::size_t n = x.size() / sizeof(float), cols = 64;
  std::vector<unsigned char> y(x.size());
  const auto bias = make_input(Dtype::f32, cols, 5, false);
  const auto simd_rows = cpu_variants([](const Variant& v) { return v.kind == Kind::kernel && v.variant != "naive"; });
  for (const Variant* vp : simd_rows) {
    const Variant v = on_target(*vp, GetParam());
    SCOPED_TRACE(v.name + " on " + GetParam());
    if (v.dtype != Dtype::f32) {
      check_all_16bit_inputs(v);
      continue;
    }
    for (const ActivationParams& p : param_sweep(v)) {
      const CheckResult r = run_checked(v, x.data(), y.data(), n, p, 1, v.uses_bias ? bias.data() : nullptr, cols);
      EXPECT_TRUE(r.ok) << r.message << " ["
                        << test_support::describe(v, p) << "]";
    }
  }
}
INSTANTIATE_TEST_SUITE_P(Targets, CpuSimdTarget, testing::ValuesIn(cpu::simd_targets()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// The numbers for the closing note: the worst ULP distance each CPU variant shows over one
// battery (normal(0,3) + edges at 2^16 elements and, for 16-bit, every pattern; alpha in
// {0, 0.5, 1, 2}; bias variants with 33 columns), printed as a table. It also fails if any
// variant leaves its tolerance, so it is a test and not only a printout.
TEST(UlpTable, MaxUlpPerCpuVariant) {
  std::printf("\n%-34s %-12s %10s %12s\n", "variant", "accuracy", "max ULP", "max abs err");
  for (const Variant* vp : cpu_variants()) {
    const Variant& v = *vp;
    double worst_ulp = 0, worst_abs = 0;
    std::vector<std::vector<unsigned char>> inputs;
    inputs.push_back(make_input(v.dtype, 33 * 2000, 42));
    if (v.dtype != Dtype::f32) inputs.push_back(all_16bit_patterns());
    for (auto& x : inputs) {
      const std::size_t n = x.size() / dtype_size(v.dtype);
      std::vector<unsigned char> y(x.size());
      const std::size_t cols = v.uses_bias ? (n % 33 == 0 ? 33 : 256) : 0;
      const auto bias = v.uses_bias ? make_input(v.dtype, cols, 3, false) : std::vector<unsigned char>{};
      for (const ActivationParams& p : param_sweep(v)) {
        const CheckResult r = run_checked(v, x.data(), y.data(), n, p, 1, bias.empty() ? nullptr : bias.data(), cols);
        EXPECT_TRUE(r.ok) << r.message;
        worst_ulp = std::max(worst_ulp, r.max_ulp);
        worst_abs = std::max(worst_abs, r.max_abs_error);
      }
    }
    std::printf("%-34s %-12s %10g %12.3g%s\n", v.name.c_str(), std::string(to_string(v.accuracy)).c_str(),
                worst_ulp, worst_abs, known_peer_nan_deviation(v) ? "  (NaN -> 0: pinned finding, excluded)" : "");
  }
}

}  // namespace

// The bias contract (elubench::check_bias_shape) holds for every bias variant, CPU and GPU: a
// shape that is not rows x cols is refused before any memory is touched, so this runs without
// a GPU too.
TEST(BiasContract, EveryBiasVariantRefusesAShapeThatIsNotRowsTimesCols) {
  std::vector<float> x(10), y(10), b(4);
  std::size_t checked = 0;
  for (const Variant& v : all_variants()) {
    if (!v.uses_bias) continue;
    ++checked;
    RunArgs a;
    a.x = x.data();
    a.y = y.data();
    a.n = 10;
    a.bias = b.data();
    a.cols = 4;  // 10 is not a multiple of 4
    EXPECT_THROW(v.run(a), std::runtime_error) << v.name << ": n not a multiple of cols";
    a.cols = 0;
    EXPECT_THROW(v.run(a), std::runtime_error) << v.name << ": cols = 0";
    a.cols = 5;
    a.bias = nullptr;
    EXPECT_THROW(v.run(a), std::runtime_error) << v.name << ": no bias";
  }
  EXPECT_GT(checked, 0u);
}

// GB/s counts the bytes the operation must move (bias_then_act's second pass over y is its
// cost, not extra credit): otherwise a two-pass variant whose y stays in cache between passes
// reports more GB/s than the copy ceiling (139% was seen at 2^18 f32 on one thread).
TEST(BytesContract, EveryVariantCountsTheOperationsBytesNotItsPasses) {
  for (const Variant& v : all_variants()) {
    const std::size_t streams = v.is_backward() ? 3 : 2;  // dy and the saved tensor in, or x in; y out
    EXPECT_EQ(v.bytes_per_element, streams * dtype_size(v.dtype)) << v.name;
    EXPECT_EQ(v.passes, v.variant == "bias_then_act" ? 2 : 1) << v.name;
  }
  const Variant* fused = find_variant("cpu/elu/fused_bias/f32");
  const Variant* unfused = find_variant("cpu/elu/bias_then_act/f32");
  ASSERT_TRUE(fused && unfused);
  EXPECT_EQ(bytes_moved(*fused, 1 << 16, 1024), bytes_moved(*unfused, 1 << 16, 1024));
}
