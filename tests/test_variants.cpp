// Every CPU variant in the registry against the float64 reference, with the design's
// tolerances (elubench::tolerance_for). The cases come from the registry, so a variant added
// there is tested here without touching this file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"

using namespace elubench;

namespace {

std::vector<const Variant*> cpu_variants() {
  std::vector<const Variant*> out;
  for (const Variant& v : all_variants())
    if (v.device == Device::cpu) out.push_back(&v);
  return out;
}

std::string test_name(const testing::TestParamInfo<const Variant*>& info) {
  std::string s = info.param->name;
  for (char& c : s)
    if (c == '/') c = '_';
  return s;
}

// Input of n elements of dtype d: a normal(0, 3) sweep plus the edge cases at the front.
std::vector<unsigned char> make_input(Dtype d, std::size_t n, unsigned seed) {
  std::vector<unsigned char> buf(n * dtype_size(d));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  const float edges[] = {NAN, INFINITY, -INFINITY, -0.0f, 0.0f, -1e-8f, 1e-8f, -17.5f, -17.3f, -30.0f,
                         -std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min(),
                         -1e-40f, -1.0f, 1.0f, -0.5f, -87.0f, -200.0f};
  for (std::size_t i = 0; i < n; ++i) {
    const float v = i < std::size(edges) ? edges[i] : normal(rng);
    store_from_float(buf.data(), i, d, v);
  }
  return buf;
}

class CpuVariant : public testing::TestWithParam<const Variant*> {
 protected:
  // Runs the variant on n elements starting `offset` elements into the buffers (offset 1 makes
  // every pointer misaligned for SIMD), then checks against the reference.
  void run_and_check(std::size_t n, float alpha, std::size_t offset, int threads, std::size_t cols = 0) {
    const Variant& v = *GetParam();
    const std::size_t es = dtype_size(v.dtype);
    auto x = make_input(v.dtype, n + offset, 1234u + static_cast<unsigned>(n));
    std::vector<unsigned char> y((n + offset) * es, 0xAB);
    std::vector<unsigned char> bias;
    RunArgs a;
    a.x = x.data() + offset * es;
    a.y = y.data() + offset * es;
    a.n = n;
    a.alpha = alpha;
    a.threads = threads;
    if (v.uses_bias) {
      if (cols == 0) cols = 33;
      if (n % cols != 0) cols = 1;
      bias = make_input(v.dtype, cols, 99);
      a.bias = bias.data();
      a.cols = cols;
    }
    v.run(a);
    const CheckResult r = check_against_reference(v, a.x, a.y, n, alpha, a.bias, a.cols);
    EXPECT_TRUE(r.ok) << r.message << " [n=" << n << " alpha=" << alpha << " offset=" << offset
                      << " threads=" << threads << "]";
    // Nothing outside [offset, offset + n) was written.
    for (std::size_t i = 0; i < offset * es; ++i) ASSERT_EQ(y[i], 0xAB) << "wrote before the output";
    RecordProperty("max_ulp", std::to_string(r.max_ulp));
  }
};

TEST_P(CpuVariant, MatchesReferenceAcrossSizesAndAlphas) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4097}})
    for (float alpha : {0.0f, 0.5f, 1.0f, 2.0f})
      for (std::size_t offset : {0, 1}) run_and_check(n, alpha, offset, 1);
}

TEST_P(CpuVariant, LargeMultithreaded) {
  run_and_check((std::size_t{1} << 20) + 3, 1.0f, 1, 2);
}

INSTANTIATE_TEST_SUITE_P(Registry, CpuVariant, testing::ValuesIn(cpu_variants()), test_name);

}  // namespace
