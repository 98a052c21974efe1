// The XNNPACK and SLEEF peers beyond the registry-wide checks of test_variants.cpp: the ISA SLEEF
// picks, PyTorch's all-positive shortcut, XNNPACK held to its own tested bound, its pinned
// findings (they are asserted to still happen, so that a fixed library is noticed), and that no
// CPU variant reads past the end of its input. A peer that was not built is skipped, saying so.
#include <gtest/gtest.h>
#include <xmmintrin.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "elubench/activations.hpp"
#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "test_support.hpp"

using namespace elubench;

namespace {

const Variant* peer_or_skip(const char* name) { return find_variant(name); }
#define REQUIRE_VARIANT(var, name)                                              \
  const Variant* var = peer_or_skip(name);                                      \
  if (!var) GTEST_SKIP() << name << " is not built (its library was not found at configure time)"

void run(const Variant& v, const void* x, void* y, std::size_t n, float alpha, int threads = 1) {
  RunArgs a;
  a.x = x;
  a.y = y;
  a.n = n;
  a.params = test_support::with_alpha(alpha);
  a.threads = threads;
  a.grad = v.is_backward() ? x : nullptr;  // a backward's dy: x itself will do
  v.run(a);
}

std::vector<float> normal_and_uniform(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::uniform_real_distribution<float> uniform(-20.0f, 20.0f);  // XNNPACK's own test range
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = i % 2 ? normal(rng) : uniform(rng);
  return x;
}

TEST(Sleef, DescriptionNamesTheIsaThisCpuRuns) {
  REQUIRE_VARIANT(v, "cpu/elu/sleef/f32");
  __builtin_cpu_init();
  const char* want = __builtin_cpu_supports("avx512f")                                       ? "AVX512F"
                     : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? "AVX2"
                     : __builtin_cpu_supports("sse4.1")                                  ? "SSE4"
                                                                                         : "scalar";
  const std::string d(v->description);
  EXPECT_NE(d.find(std::string(", ") + want + " "), std::string::npos) << d;
  std::printf("cpu/elu/sleef/f32: %s\n", d.c_str());
}

TEST(Sleef, HeldToTheAccurateClass) {
  // SLEEF's u10 expm1 is documented within 1.0 ULP; times alpha adds one rounding. That meets
  // the accurate class, so the registry must not excuse it with the looser library class.
  REQUIRE_VARIANT(v, "cpu/elu/sleef/f32");
  EXPECT_EQ(v->accuracy, Accuracy::accurate);
}

TEST(Sleef, PositiveLanesReturnXBitForBit) {
  // PyTorch's shortcut (a whole vector > 0 skips expm1) and the blend in mixed vectors must both
  // return x itself for x > 0: 100 all-positive elements, then alternating signs.
  REQUIRE_VARIANT(v, "cpu/elu/sleef/f32");
  std::vector<float> x(200), y(200);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float mag = std::ldexp(1.0f + static_cast<float>(i) / 256.0f, static_cast<int>(i % 60) - 30);
    x[i] = (i >= 100 && i % 2) ? -mag : mag;
  }
  run(*v, x.data(), y.data(), x.size(), 0.5f);
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] > 0) ASSERT_EQ(float_to_bits(y[i]), float_to_bits(x[i])) << "i=" << i << " x=" << x[i];
}

TEST(Xnnpack, RefusesAlphaZeroAsAPinnedFinding) {
  REQUIRE_VARIANT(v, "cpu/elu/xnnpack/f32");
  float x = -1.0f, y = 0.0f;
  try {
    run(*v, &x, &y, 1, 0.0f);
    ADD_FAILURE() << "XNNPACK now accepts alpha = 0: drop known_peer_refuses_alpha in test_variants.cpp";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("xnn_create_elu_nc_f32"), std::string::npos) << e.what();
  }
}

TEST(Xnnpack, RunsWithDenormalsOffAsAPinnedFinding) {
  // xnn_run_operator runs its kernels under pthreadpool's PTHREADPOOL_FLAG_DISABLE_DENORMALS
  // (flush-to-zero and denormals-are-zero, restored afterwards): subnormal inputs read as 0, so
  // elu(-1e-40) = -1e-40 comes back as -0 and relu(denorm_min) as 0. Within the library class
  // (absolute error 1e-40), but a finding: our variants keep subnormals. The caller's MXCSR
  // must come back unchanged, or every variant timed after XNNPACK would run with FTZ/DAZ.
  REQUIRE_VARIANT(elu_v, "cpu/elu/xnnpack/f32");
  REQUIRE_VARIANT(relu_v, "cpu/relu/xnnpack/f32");
  const unsigned csr = _mm_getcsr();
  float x[2] = {-1e-40f, -std::numeric_limits<float>::denorm_min()}, y[2] = {1, 1};
  run(*elu_v, x, y, 2, 1.0f);
  EXPECT_EQ(y[0], 0.0f) << "XNNPACK now keeps subnormals: this pinned finding is gone";
  EXPECT_EQ(y[1], 0.0f);
  float xr = std::numeric_limits<float>::denorm_min(), yr = 1;
  run(*relu_v, &xr, &yr, 1, 1.0f);
  EXPECT_EQ(yr, 0.0f) << "XNNPACK now keeps subnormals: this pinned finding is gone";
  EXPECT_EQ(_mm_getcsr(), csr) << "XNNPACK left the caller's floating-point mode changed";
}

TEST(Xnnpack, EluWithinItsOwnTestedRelativeBound) {
  // XNNPACK's ELU operator test accepts |y - ref| <= 1e-5 |ref| (relative, so also near 0: no
  // exp(x) - 1 cancellation). Held to that on every element whose result is a normal float
  // (subnormal results are the finding above), plus -1e-8 where exp(x) - 1 would give 0.
  REQUIRE_VARIANT(v, "cpu/elu/xnnpack/f32");
  auto x = normal_and_uniform(1 << 16, 11);
  x.push_back(-1e-8f);
  x.push_back(-6e-8f);
  std::vector<float> y(x.size());
  double worst_ulp = 0;
  for (float alpha : {0.5f, 1.0f, 2.0f}) {
    run(*v, x.data(), y.data(), x.size(), alpha);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double ref = Elu::reference(static_cast<double>(x[i]), test_support::with_alpha(alpha));
      if (std::fabs(ref) < std::numeric_limits<float>::min()) continue;
      ASSERT_LE(std::fabs(y[i] - ref), 1e-5 * std::fabs(ref)) << "x=" << x[i] << " alpha=" << alpha;
      worst_ulp = std::max(worst_ulp, ulp_distance(round_to_dtype(ref, Dtype::f32), y[i], Dtype::f32));
    }
  }
  std::printf("cpu/elu/xnnpack/f32: worst %g ULP over %zu inputs x 3 alphas\n", worst_ulp, x.size());
}

TEST(Xnnpack, ThreadPoolGivesTheSameBitsAsOneThread) {
  for (const char* name : {"cpu/elu/xnnpack/f32", "cpu/relu/xnnpack/f32"}) {
    REQUIRE_VARIANT(v, name);
    const auto x = normal_and_uniform((1 << 20) + 3, 5);
    std::vector<float> y1(x.size()), y2(x.size(), 7.0f);
    run(*v, x.data(), y1.data(), x.size(), 1.0f, 1);
    run(*v, x.data(), y2.data(), x.size(), 1.0f, 2);
    ASSERT_EQ(std::memcmp(y1.data(), y2.data(), x.size() * sizeof(float)), 0) << name;
  }
}

// Input that ends exactly at an unreadable page: a variant reading past x + n crashes here.
// XNNPACK's microkernels may read XNN_EXTRA_BYTES past their input, so the xnnpack rows route
// the last partial vector through a padded copy; this checks that for every CPU variant.
TEST(AllCpuVariants, NeverReadPastTheEndOfTheInput) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  ASSERT_EQ(mprotect(static_cast<unsigned char*>(mem) + page, page, PROT_NONE), 0);
  std::vector<unsigned char> y(4096);
  for (const Variant& v : all_variants()) {
    if (v.device != Device::cpu || v.uses_bias) continue;
    for (std::size_t n : {1, 7, 17, 33, 100}) {
      const std::size_t bytes = n * dtype_size(v.dtype);
      unsigned char* x = static_cast<unsigned char*>(mem) + page - bytes;
      for (std::size_t i = 0; i < n; ++i) store_from_float(x, i, v.dtype, -0.25f * static_cast<float>(i));
      run(v, x, y.data(), n, 1.0f);  // a read past the end is a SIGSEGV that names this test
    }
  }
  munmap(mem, 2 * page);
}

}  // namespace
