// Every layer row against the float64 layer reference (reference_layer.hpp), on small shapes
// that reach every path: one row (m = 1), odd k and n, m not a multiple of the tile, tiles of
// whole rows and column panels (ELUBENCH_LAYER_CACHE_BYTES = 16 KiB makes the tiled rows cut
// even these shapes into several tiles), 1 and 2 threads, weights read in place
// (weights_version 0) and packed once (a fresh version per input). Nothing outside y is
// written. CPU rows always; GPU rows on a GPU (skipped with the reason elsewhere). A row whose
// library cannot run here (oneDNN's bf16 matmul below AVX-512, XNNPACK's ELU at alpha <= 0) is
// skipped with the library's reason, which the test checks is a VariantUnavailable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "elubench/gpu.hpp"
#include "elubench/layer.hpp"
#include "elubench/reference_layer.hpp"
#include "elubench/registry.hpp"
#include "test_support.hpp"

using namespace elubench;

namespace {

constexpr std::size_t kGuard = 64;  // bytes on either side of y that must stay as they were
constexpr unsigned char kFill = 0xAB;

const LayerShape kShapes[] = {{1, 17, 33}, {7, 300, 70}, {65, 64, 129}, {3, 20, 5000}};
// (threads, weights packed once): one thread reading w in place; two sharing packed weights.
const std::pair<int, bool> kConfigs[] = {{1, false}, {2, true}};

struct Inputs {
  LayerShape s;
  Dtype d;
  std::vector<unsigned char> x, w, b;
  std::uint64_t version;  // unique per input: the packed-weights caches never see stale contents
  LayerReference ref;
};

// Normal x, w scaled by 1/sqrt(k), a bias, in dtype d; and their reference (every row).
const Inputs& inputs(const LayerShape& s, Dtype d) {
  static std::map<std::tuple<std::size_t, std::size_t, std::size_t, int>, Inputs> cache;
  static std::uint64_t next_version = 1;
  const auto key = std::make_tuple(s.m, s.k, s.n, static_cast<int>(d));
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const std::size_t es = dtype_size(d);
  Inputs in{s, d, std::vector<unsigned char>(s.m * s.k * es), std::vector<unsigned char>(s.k * s.n * es),
            std::vector<unsigned char>(s.n * es), next_version++, {}};
  std::mt19937 rng(static_cast<unsigned>(s.m * 131 + s.k * 7 + s.n));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.k));
  for (std::size_t i = 0; i < s.m * s.k; ++i) store_from_float(in.x.data(), i, d, 2.0f * normal(rng));
  for (std::size_t i = 0; i < s.k * s.n; ++i) store_from_float(in.w.data(), i, d, scale * normal(rng));
  for (std::size_t i = 0; i < s.n; ++i) store_from_float(in.b.data(), i, d, normal(rng));
  in.ref = reference_layer(d, in.x.data(), in.w.data(), in.b.data(), s, sample_rows(s.m, s.m));
  return cache.emplace(key, std::move(in)).first->second;
}

// The parameters a row is run with: the defaults, and each declared parameter at half its
// default (ELU alpha 0.5, Leaky ReLU slope 0.005, Softplus beta 0.5) where it has any.
std::vector<ActivationParams> params_for(const Variant& v) {
  std::vector<ActivationParams> out{default_params(v.activation)};
  const auto specs = v.params();
  if (specs.empty()) return out;
  ActivationParams half = out.front();
  for (std::size_t i = 0; i < specs.size(); ++i)
    half.value[i] = std::clamp(specs[i].default_value * 0.5f, specs[i].min, specs[i].max);
  out.push_back(half);
  return out;
}

// y inside guard bytes.
struct Output {
  std::vector<unsigned char> buf;
  unsigned char* y;
  std::size_t bytes;
  explicit Output(std::size_t bytes) : buf(bytes + 2 * kGuard + 64, kFill), bytes(bytes) {
    const auto base = reinterpret_cast<std::uintptr_t>(buf.data()) + kGuard;
    y = buf.data() + kGuard + (64 - base % 64) % 64;  // y cache-line aligned, as the bench's buffers
  }
  bool guards_intact() const {
    for (const unsigned char* p = buf.data(); p < y; ++p)
      if (*p != kFill) return false;
    for (const unsigned char* p = y + bytes; p < buf.data() + buf.size(); ++p)
      if (*p != kFill) return false;
    return true;
  }
};

RunArgs layer_args(const Inputs& in, void* y, const ActivationParams& p, int threads, bool packed) {
  RunArgs a;
  a.x = in.x.data(), a.w = in.w.data(), a.bias = in.b.data(), a.y = y;
  a.layer = in.s, a.n = in.s.m * in.s.n, a.cols = in.s.n;
  a.params = p, a.threads = threads, a.weights_version = packed ? in.version : 0;
  return a;
}

std::vector<const Variant*> rows_of(Device d) {
  std::vector<const Variant*> out;
  for (const Variant& v : layer_variants())
    if (v.device == d) out.push_back(&v);
  return out;
}
std::string row_name(const testing::TestParamInfo<const Variant*>& info) {
  return test_support::param_name(info.param->name);
}

class CpuLayerRow : public testing::TestWithParam<const Variant*> {
 protected:
  void SetUp() override { ::setenv("ELUBENCH_LAYER_CACHE_BYTES", "16384", 1); }
  void TearDown() override { ::unsetenv("ELUBENCH_LAYER_CACHE_BYTES"); }
};

// One run of v, checked; false (with the skip's reason in *skipped) where the library refused.
bool run_and_check(const Variant& v, const Inputs& in, const ActivationParams& p, int threads, bool packed,
                   std::string* skipped) {
  Output out(in.s.m * in.s.n * dtype_size(v.dtype));
  try {
    v.run(layer_args(in, out.y, p, threads, packed));
  } catch (const VariantUnavailable& e) {
    *skipped = e.what();
    return false;
  }
  const LayerCheckResult r = check_layer(v, in.ref, out.y, p);
  EXPECT_TRUE(r.ok) << r.message << " [" << to_string(in.s) << " threads " << threads << " packed " << packed
                    << " " << test_support::describe(v, p) << "]";
  EXPECT_TRUE(out.guards_intact()) << v.name << " wrote outside y [" << to_string(in.s) << "]";
  return true;
}

TEST_P(CpuLayerRow, MatchesTheFloat64Layer) {
  const Variant& v = *GetParam();
  std::string skipped;
  int ran = 0;
  for (const LayerShape& s : kShapes)
    for (const ActivationParams& p : params_for(v))
      for (const auto& [threads, packed] : kConfigs) ran += run_and_check(v, inputs(s, v.dtype), p, threads, packed, &skipped);
  if (ran == 0) GTEST_SKIP() << skipped;
}
INSTANTIATE_TEST_SUITE_P(Layers, CpuLayerRow, testing::ValuesIn(rows_of(Device::cpu)), row_name);

}  // namespace
