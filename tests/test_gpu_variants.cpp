// Every GPU variant in the registry as a real launch through its run function, checked against
// the float64 reference with the registry's tolerance. Needs a GPU: without one each test
// skips and says why (the simulated-grid tests in test_cuda_bodies.cu cover the bodies).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "elubench/gpu.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "plan/inputs.hpp"              // make_saved_input_parallel: the bench's all-core saved tensor
#include "trust/reference_check.hpp"  // check_parallel: the bench's all-core check
#include "test_support.hpp"

using namespace elubench;

#if defined(ELUBENCH_HAVE_CUDNN)
namespace elubench::gpu_variants {
std::vector<std::pair<int, int>> cudnn_fold(std::size_t n);  // kernels/cuda/cudnn_fold.cpp
}
#endif

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

// Inputs are made once per (dtype, n, seed) and reused by every variant and call: drawing 2^24
// normals per call would cost more than the launches it feeds (the GPU stage of
// scripts/gpu_check.sh has a minute for this binary).
using InputKey = std::tuple<Dtype, std::size_t, unsigned>;
const std::vector<unsigned char>& cached(std::map<InputKey, std::vector<unsigned char>>& cache, const InputKey& key,
                                         const std::function<std::vector<unsigned char>()>& make) {
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make()).first;
  return it->second;
}

// Normal(0, 3) with an edge value every 61st element.
const std::vector<unsigned char>& make_input(Dtype d, std::size_t n, unsigned seed) {
  static std::map<InputKey, std::vector<unsigned char>> cache;
  return cached(cache, {d, n, seed}, [&] {
    const auto& edges = test_support::kEdges;
    std::vector<unsigned char> buf(n * dtype_size(d));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (std::size_t i = 0; i < n; ++i)
      store_from_float(buf.data(), i, d, i % 61 == 0 ? edges[(i / 61) % std::size(edges)] : normal(rng));
    return buf;
  });
}

// `period` repeated until it holds n elements of es bytes (the > 2^31 inputs: a loop per element
// would cost seconds of the GPU stage's minute).
std::vector<unsigned char> tiled(const std::vector<unsigned char>& period, std::size_t n, std::size_t es) {
  std::vector<unsigned char> out(n * es);
  for (std::size_t b = 0; b < out.size(); b += period.size())
    std::memcpy(out.data() + b, period.data(), std::min(period.size(), out.size() - b));
  return out;
}

// dy for a backward row: normal(0, 2), every 7th element 1 (dx is then f' itself); finite. Drawn
// for the first 2^20 elements and repeated beyond.
std::vector<unsigned char> make_grad(Dtype d, std::size_t n, unsigned seed) {
  constexpr std::size_t kPeriod = std::size_t{1} << 20;
  static std::map<InputKey, std::vector<unsigned char>> cache;
  const auto& period = cached(cache, {d, std::min(n, kPeriod), seed}, [&] {
    const std::size_t m = std::min(n, kPeriod);
    std::vector<unsigned char> buf(m * dtype_size(d));
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    for (std::size_t i = 0; i < m; ++i) store_from_float(buf.data(), i, d, i % 7 == 0 ? 1.0f : normal(rng));
    return buf;
  });
  return n <= kPeriod ? period : tiled(period, n, dtype_size(d));
}

// The check over every host core (the bench's own check_parallel). Outputs above 2^28 elements
// are checked on a sample: the first 2^22 elements, the last 2^24 (they straddle 2^31, where a
// 32-bit index wraps) and 64 windows of 2^16 spread between, each starting at a row of the bias.
CheckResult check_all_cores(const Variant& v, const unsigned char* x, const unsigned char* y, std::size_t n,
                            const ActivationParams& p, const unsigned char* bias, std::size_t cols,
                            const unsigned char* grad) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::size_t es = dtype_size(v.dtype), unit = v.uses_bias ? cols : 1;
  if (n <= (std::size_t{1} << 28)) return bench::check_parallel(v, x, y, n, p, bias, cols, cores, grad);
  std::vector<std::pair<std::size_t, std::size_t>> windows = {{0, std::size_t{1} << 22},
                                                              {(n - (std::size_t{1} << 24)) / unit * unit, n}};
  for (std::size_t k = 1; k <= 64; ++k) {
    const std::size_t b = n / 65 * k / unit * unit;
    windows.push_back({b, std::min(n, b + (std::size_t{1} << 16) / unit * unit + unit)});
  }
  CheckResult all;
  all.checked = 0;
  for (const auto& [b, e] : windows) {
    const auto at = [&](const unsigned char* base) { return base ? base + b * es : nullptr; };
    CheckResult c = bench::check_parallel(v, at(x), at(y), e - b, p, bias, cols, cores, at(grad));
    all.checked += c.checked;
    all.max_ulp = std::max(all.max_ulp, c.max_ulp);
    all.max_abs_error = std::max(all.max_abs_error, c.max_abs_error);
    if (!c.ok && all.ok) {
      all.ok = false;
      all.message = c.message + " [window starting at element " + std::to_string(b) + "]";
    }
  }
  return all;
}

class GpuVariant : public testing::TestWithParam<const Variant*> {
 protected:
  void SetUp() override {
    std::string reason;
    if (gpu::device_count(&reason) == 0) GTEST_SKIP() << reason;
  }
  // n elements x_off / y_off elements into device buffers (the bias and dy at x's offset);
  // checks the result and the guard bytes around y. A backward row reads the saved tensor made
  // from x (make_saved_input) and dy.
  void run_and_check(std::size_t n, float alpha, std::size_t x_off, std::size_t y_off, std::size_t cols,
                     const std::vector<unsigned char>* x_in = nullptr) {
    const Variant& v = *GetParam();
    const ActivationParams params = test_support::params_for(v, alpha);  // alpha: the sweep's knob
    if (v.uses_bias && cols == 0) cols = 1;
    const std::size_t es = dtype_size(v.dtype), off = std::max(x_off, y_off), bytes = (n + off + 8) * es;
    const std::vector<unsigned char>& xs = x_in ? *x_in : make_input(v.dtype, n, 77u + static_cast<unsigned>(n));
    std::vector<unsigned char> hx(bytes, 0), hy(bytes, 0xAB), hg(v.is_backward() ? bytes : 0, 0);
    if (v.is_backward()) {
      bench::make_saved_input_parallel(v, xs.data(), hx.data() + x_off * es, n, params);
      const auto g = make_grad(v.dtype, n, 91u + static_cast<unsigned>(n));
      std::memcpy(hg.data() + x_off * es, g.data(), n * es);
    } else {
      std::memcpy(hx.data() + x_off * es, xs.data(), n * es);
    }
    gpu::Buffer dx(bytes), dy(bytes), db((cols + off + 8) * es), dg(v.is_backward() ? bytes : 0);
    gpu::copy_to_device(dx.get(), hx.data(), bytes);
    gpu::copy_to_device(dy.get(), hy.data(), bytes);
    if (v.is_backward()) gpu::copy_to_device(dg.get(), hg.data(), bytes);
    std::vector<unsigned char> hb;
    RunArgs a;
    a.x = static_cast<unsigned char*>(dx.get()) + x_off * es;
    a.y = static_cast<unsigned char*>(dy.get()) + y_off * es;
    a.n = n;
    a.params = params;
    if (v.is_backward()) a.grad = static_cast<unsigned char*>(dg.get()) + x_off * es;
    if (v.uses_bias) {
      hb = make_input(v.dtype, cols + off, 5u);
      gpu::copy_to_device(db.get(), hb.data(), hb.size());
      a.bias = static_cast<unsigned char*>(db.get()) + x_off * es;
      a.cols = cols;
    }
    try {
      v.run(a);
    } catch (const VariantUnavailable& e) {  // cuDNN absent on this machine: not a failure
      GTEST_SKIP() << e.what();
    }
    gpu::synchronize();
    gpu::copy_to_host(hy.data(), dy.get(), bytes);
    const CheckResult r = check_all_cores(v, hx.data() + x_off * es, hy.data() + y_off * es, n, params,
                                          v.uses_bias ? hb.data() + x_off * es : nullptr, cols,
                                          v.is_backward() ? hg.data() + x_off * es : nullptr);
    EXPECT_TRUE(r.ok) << r.message << " [n=" << n << " " << test_support::describe(v, params)
                      << " x_off=" << x_off << " y_off=" << y_off << " cols=" << cols << "]";
    for (std::size_t i = 0; i < y_off * es; ++i) ASSERT_EQ(hy[i], 0xAB) << "wrote before y";
    for (std::size_t i = (y_off + n) * es; i < bytes; ++i) ASSERT_EQ(hy[i], 0xAB) << "wrote after y";
    RecordProperty("max_ulp", std::to_string(r.max_ulp));
    std::printf("%s n=%zu alpha=%g x_off=%zu y_off=%zu: max ULP %g\n", v.name.c_str(), n, alpha, x_off, y_off,
                r.max_ulp);
  }
  void run_and_check(std::size_t n, float alpha, std::size_t off, std::size_t cols,
                     const std::vector<unsigned char>* x_in = nullptr) {
    run_and_check(n, alpha, off, off, cols, x_in);
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

// The streaming kernels' wide paths: a grid of B blocks covers 256 * kUnroll(4) * (16 / es) * B
// elements per step, and the launcher sizes the grid to the data up to one wave, so n = that
// tile with B = 64 (fewer blocks than any wave) runs exactly one main-loop step and no
// remainder; tile + 1 and tile - 1 add the bounds-checked wide pass and the scalar tail;
// 10^6 and 2^24 + 3 (several main-loop steps on any GPU, then a partial step) are sizes where
// the bounds-checked wide pass covers all of the data on a large GPU. x and y offsets: equal (scalar head,
// then 16-byte Packs), and different (x and y cannot both be aligned: the scalar fallback).
TEST_P(GpuVariant, WideLoopTilesAndAlignments) {
  const Variant& v = *GetParam();
  const std::size_t tile = 64 * 256 * 4 * (16 / dtype_size(v.dtype));
  const std::size_t sizes[] = {tile, tile + 1, tile - 1, 3 * tile, 1000000, (std::size_t{1} << 24) + 3};
  struct Offsets {
    std::size_t x, y;
  };
  for (std::size_t n : sizes)
    for (Offsets o : {Offsets{0, 0}, Offsets{3, 3}, Offsets{0, 1}, Offsets{1, 0}, Offsets{2, 6}}) {
      if (n > 3 * tile && o.x != o.y) continue;  // the scalar fallback needs no large sizes
      run_and_check(n, 1.0f, o.x, o.y, 163);  // 163 columns: odd, bias read element by element
      if (HasFatalFailure()) return;
    }
  if (v.uses_bias) run_and_check(tile + 8, 0.5f, 0, 0, 64);  // bias read as 16-byte Packs
}

// f32 is covered by the sweeps; this suite is instantiated for the 16-bit variants only.
class Gpu16BitVariant : public GpuVariant {};
TEST_P(Gpu16BitVariant, Exhaustive16Bit) {
  const auto x = test_support::all_16bit_patterns();
  for (float alpha : {1.0f, 0.5f, 2.0f, 0.0f})
    for (std::size_t off : {0, 1}) run_and_check(65536, alpha, off, 8, &x);
}

// More than 2^31 elements: 32-bit index arithmetic anywhere (grid-stride index, Pack offset,
// bias column, cuDNN's int dimensions, a backward's second input) would wrap and show as wrong or
// missing outputs near the end. f16 only (4 GiB per buffer); the input cycles through all 65,536 bit patterns.
// Skips with its reason where device or host memory is short.
class GpuLargeVariant : public GpuVariant {};
TEST_P(GpuLargeVariant, MoreThan2To31Elements) {
  const std::size_t n = (std::size_t{1} << 31) + 19, bytes = n * 2;
  const std::size_t tensors = GetParam()->is_backward() ? 3 : 2;  // x (saved), y, and dy for a backward
  const std::size_t need_device = tensors * bytes + (std::size_t{1} << 30);
  if (gpu::free_memory() < need_device)
    GTEST_SKIP() << "needs " << need_device / (1 << 20) << " MiB free device memory, have "
                 << gpu::free_memory() / (1 << 20);
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const std::size_t need_host = (tensors + 3) * bytes;
  if (pages > 0 && page > 0 && static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) < need_host)
    GTEST_SKIP() << "needs " << need_host / (1 << 20) << " MiB free host memory";
  std::vector<unsigned char> period(65536 * 2);
  for (std::size_t i = 0; i < 65536; ++i) {
    const auto bits = static_cast<std::uint16_t>(i * 40503u);  // odd multiplier: every pattern per 65,536
    std::memcpy(period.data() + 2 * i, &bits, 2);
  }
  const auto x = tiled(period, n, 2);
  run_and_check(n, 1.0f, 0, 0, 4099, &x);
}

#if defined(ELUBENCH_HAVE_CUDNN)
// The cuDNN descriptors' fold (host arithmetic, no GPU): pieces cover n exactly, in order, and
// every dimension fits cuDNN's int, up to sizes far beyond 2^31.
TEST(CudnnFold, CoversAnyNWithIntDimensions) {
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{65535}, std::size_t{65536}, std::size_t{65537},
                        (std::size_t{1} << 20) + 3, std::size_t{1} << 30, (std::size_t{1} << 31) + 19,
                        std::size_t{3} << 33}) {
    std::size_t sum = 0;
    for (const auto& [h, w] : gpu_variants::cudnn_fold(n)) {
      ASSERT_GE(h, 1);
      ASSERT_GE(w, 1);
      ASSERT_LE(static_cast<std::size_t>(h) * static_cast<std::size_t>(w), std::size_t{INT_MAX}) << n;
      sum += static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
    }
    EXPECT_EQ(sum, n);
  }
  EXPECT_TRUE(gpu_variants::cudnn_fold(0).empty());
  EXPECT_EQ(gpu_variants::cudnn_fold(std::size_t{1} << 24).size(), 1u) << "a power of two is one call";
}
#endif

INSTANTIATE_TEST_SUITE_P(Registry, GpuVariant, testing::ValuesIn(gpu_variants()), test_name);
INSTANTIATE_TEST_SUITE_P(Registry, GpuLargeVariant, testing::ValuesIn(gpu_variants([](const Variant& v) {
                           return v.dtype == Dtype::f16 && (v.name == "gpu/elu/vectorized/f16" ||
                                                            v.name == "gpu/elu_backward/vectorized/f16" ||
                                                            v.name == "gpu/elu/fused_bias/f16" ||
                                                            v.name == "gpu/copy/vectorized/f16" ||
                                                            v.name == "gpu/elu/cudnn/f16");
                         })),
                         test_name);
INSTANTIATE_TEST_SUITE_P(Registry, Gpu16BitVariant,
                         testing::ValuesIn(gpu_variants([](const Variant& v) { return v.dtype != Dtype::f32; })),
                         test_name);

}  // namespace
