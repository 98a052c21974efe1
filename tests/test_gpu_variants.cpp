// Every GPU variant in the registry as a real launch through its run function, checked against
// the float64 reference with the registry's tolerance. Needs a GPU: without one each test
// skips and says why (the simulated-grid tests in test_cuda_bodies.cu cover the bodies).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "elubench/gpu.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "test_support.hpp"

using namespace elubench;

namespace {

std::vector<const Variant*> gpu_variants(bool (*keep)(const Variant&) = nullptr) {
  std::vector<const Variant*> out;
  for (const Variant& v : all_variants())
    if (v.device == Device::gpu && (!keep || keep(v))) out.push_back(&v);
  return out;
}
std::string test_name(const testing::TestParamInfo<const Variant*>& info) {
  return test_support::param_name(info.param->name);
}

std::vector<unsigned char> make_input(Dtype d, std::size_t n, unsigned seed) {
  const auto& edges = test_support::kEdges;
  std::vector<unsigned char> buf(n * dtype_size(d));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (std::size_t i = 0; i < n; ++i)
    store_from_float(buf.data(), i, d, i % 61 == 0 ? edges[(i / 61) % std::size(edges)] : normal(rng));
  return buf;
}

class GpuVariant : public testing::TestWithParam<const Variant*> {
 protected:
  void SetUp() override {
    std::string reason;
    if (gpu::device_count(&reason) == 0) GTEST_SKIP() << reason;
  }
  // n elements `off` elements into device buffers; checks the result and the guard bytes.
  void run_and_check(std::size_t n, float alpha, std::size_t off, std::size_t cols,
                     const std::vector<unsigned char>* x_in = nullptr) {
    const Variant& v = *GetParam();
    if (v.uses_bias && cols == 0) cols = 1;
    const std::size_t es = dtype_size(v.dtype), bytes = (n + off + 8) * es;
    const auto x = x_in ? *x_in : make_input(v.dtype, n, 77u + static_cast<unsigned>(n));
    std::vector<unsigned char> hx(bytes, 0), hy(bytes, 0xAB);
    std::memcpy(hx.data() + off * es, x.data(), n * es);
    gpu::Buffer dx(bytes), dy(bytes), db((cols + off + 8) * es);
    gpu::copy_to_device(dx.get(), hx.data(), bytes);
    gpu::copy_to_device(dy.get(), hy.data(), bytes);
    std::vector<unsigned char> hb;
    RunArgs a;
    a.x = static_cast<unsigned char*>(dx.get()) + off * es;
    a.y = static_cast<unsigned char*>(dy.get()) + off * es;
    a.n = n;
    a.alpha = alpha;
    if (v.uses_bias) {
      hb = make_input(v.dtype, cols + off, 5u);
      gpu::copy_to_device(db.get(), hb.data(), hb.size());
      a.bias = static_cast<unsigned char*>(db.get()) + off * es;
      a.cols = cols;
    }
    try {
      v.run(a);
    } catch (const VariantUnavailable& e) {  // cuDNN absent on this machine: not a failure
      GTEST_SKIP() << e.what();
    }
    gpu::synchronize();
    gpu::copy_to_host(hy.data(), dy.get(), bytes);
    const CheckResult r = check_against_reference(v, hx.data() + off * es, hy.data() + off * es, n, alpha,
                                                  v.uses_bias ? hb.data() + off * es : nullptr, cols);
    EXPECT_TRUE(r.ok) << r.message << " [n=" << n << " alpha=" << alpha << " off=" << off << " cols=" << cols << "]";
    for (std::size_t i = 0; i < off * es; ++i) ASSERT_EQ(hy[i], 0xAB) << "wrote before y";
    for (std::size_t i = (off + n) * es; i < bytes; ++i) ASSERT_EQ(hy[i], 0xAB) << "wrote after y";
    RecordProperty("max_ulp", std::to_string(r.max_ulp));
    std::printf("%s n=%zu alpha=%g off=%zu: max ULP %g\n", v.name.c_str(), n, alpha, off, r.max_ulp);
  }
};

TEST_P(GpuVariant, SizesAlphasOffsets) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4097}, (std::size_t{1} << 20) + 3})
    for (float alpha : {0.0f, 0.5f, 1.0f, 2.0f})
      for (std::size_t off : {0, 1}) {
        // Bias shapes: 4097 = 17 * 241, 2^20 + 3 = 7 * 163 * 919; odd column counts.
        const std::size_t cols = n == 4097 ? 17 : n == (std::size_t{1} << 20) + 3 ? 163 : n == 0 ? 1 : n;
        run_and_check(n, alpha, off, cols);
        if (HasFatalFailure()) return;
      }
}

// f32 is covered by the sweeps; this suite is instantiated for the 16-bit variants only.
class Gpu16BitVariant : public GpuVariant {};
TEST_P(Gpu16BitVariant, Exhaustive16Bit) {
  const auto x = test_support::all_16bit_patterns();
  for (float alpha : {1.0f, 0.5f, 2.0f, 0.0f})
    for (std::size_t off : {0, 1}) run_and_check(65536, alpha, off, 8, &x);
}

INSTANTIATE_TEST_SUITE_P(Registry, GpuVariant, testing::ValuesIn(gpu_variants()), test_name);
INSTANTIATE_TEST_SUITE_P(Registry, Gpu16BitVariant,
                         testing::ValuesIn(gpu_variants([](const Variant& v) { return v.dtype != Dtype::f32; })),
                         test_name);

}  // namespace
