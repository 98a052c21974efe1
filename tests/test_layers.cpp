// Layers (issue 19): the "MxKxN" spelling, the tile plan of ours fused by tiling, the layer rows
// in the registry, and the float64 layer reference's bound: that it grows with k, that an error
// just above it is caught and one just below passes, and that a wrong epilogue (a wrong alpha, an
// activation skipped on one tile) is caught. The rows themselves: test_layer_rows.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "elubench/layer.hpp"
#include "elubench/reference_layer.hpp"
#include "elubench/registry.hpp"

using namespace elubench;

namespace {

TEST(LayerShape, ParsesMxKxN) {
  EXPECT_EQ(parse_layer_shape("64x1024x4096"), (LayerShape{64, 1024, 4096}));
  EXPECT_EQ(parse_layer_shape("1X2x3"), (LayerShape{1, 2, 3}));
  EXPECT_EQ(to_string(LayerShape{64, 1024, 4096}), "64x1024x4096");
  for (const char* bad : {"", "x", "1x2", "1x2x", "1x2x3x4", "0x2x3", "1x0x3", "1x2x0", "-1x2x3", "+1x2x3", " 1x2x3",
                          "1x2x3 ", "1 x2x3", "1x2x3,", "1.5x2x3", "1e3x2x3", "99999999999999999999x1x1",
                          "4294967296x4294967296x2", "1x4294967296x4294967296"})
    EXPECT_FALSE(parse_layer_shape(bad).has_value()) << "'" << bad << "'";
}

TEST(LayerShape, ParsesAListAndNamesTheBadItem) {
  EXPECT_EQ(parse_layer_shapes("1x1024x4096,64x4096x1024"),
            (std::vector<LayerShape>{{1, 1024, 4096}, {64, 4096, 1024}}));
  for (const char* bad : {"", "1x2x3,", ",1x2x3", "1x2x3,,4x5x6", "1x2x3;4x5x6", "1x2x3,4x5"}) {
    try {
      parse_layer_shapes(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("not a layer shape: '"), std::string::npos) << e.what();
    }
  }
}

TEST(LayerShape, WorkOfOneCall) {
  const LayerShape s{64, 1024, 4096};
  EXPECT_EQ(layer_flops(s), 2.0 * 64 * 1024 * 4096);
  EXPECT_EQ(layer_bytes(s, Dtype::f32), (64 * 1024 + 1024 * 4096 + 4096 + 64 * 4096) * 4u);
  EXPECT_EQ(layer_bytes(s, Dtype::bf16), layer_bytes(s, Dtype::f32) / 2);
}

TEST(LayerShape, DefaultsAreRealLayers) {
  for (Device d : {Device::cpu, Device::gpu}) {
    const auto shapes = default_layer_shapes(d);
    ASSERT_FALSE(shapes.empty());
    std::set<std::pair<std::size_t, std::size_t>> kn;
    for (const LayerShape& s : shapes) kn.insert({s.k, s.n});
    EXPECT_EQ(kn, (std::set<std::pair<std::size_t, std::size_t>>{{1024, 4096}, {4096, 1024}, {288, 32}, {576, 64}}));
    EXPECT_EQ(shapes.front().m, d == Device::cpu ? 1u : 1u) << "an MLP from one token";
  }
}

// The block-size rule, at the numbers it is meant for: a 2 MiB L2 (this Xeon's core), N = 4096.
TEST(TilePlan, OutputTileFitsHalfTheCache) {
  const LayerShape s{1024, 1024, 4096};
  const std::size_t l2 = 2 << 20;
  EXPECT_EQ(plan_layer_tiles(s, Dtype::f32, l2, 1).rows, 64u);   // 64 rows x 16 KiB = 1 MiB
  EXPECT_EQ(plan_layer_tiles(s, Dtype::bf16, l2, 1).rows, 128u);  // half the bytes per row
  EXPECT_EQ(plan_layer_tiles(s, Dtype::f32, l2 / 2, 1).rows, 32u);
  EXPECT_EQ(plan_layer_tiles(s, Dtype::f32, l2, 1).cols, 4096u);  // whole rows: one contiguous tile
  EXPECT_EQ(plan_layer_tiles({1024, 1024, 1024}, Dtype::f32, l2, 1).rows, 256u);
}

TEST(TilePlan, EveryWorkerGetsATileOfNearEqualSize) {
  EXPECT_EQ(plan_layer_tiles({100, 64, 4096}, Dtype::f32, 2 << 20, 2).rows, 50u);  // fits one tile; split in two
  EXPECT_EQ(plan_layer_tiles({1000, 64, 4096}, Dtype::f32, 2 << 20, 2).rows, 63u);  // 16 tiles (a multiple of 2)
  const LayerTiles few = plan_layer_tiles({5, 64, 4096}, Dtype::f32, 2 << 20, 4);
  EXPECT_EQ(few.row_tiles, 4u);  // rows 1, 1, 1, 2
  EXPECT_EQ(few.rows, 2u);
  EXPECT_EQ(few.cols, 4096u);
  // One token on two workers: the columns are shared out, in panels of whole 64-element blocks.
  const LayerTiles one = plan_layer_tiles({1, 1024, 4096}, Dtype::f32, 2 << 20, 2);
  EXPECT_EQ(one.rows, 1u);
  EXPECT_EQ(one.cols, 2048u);
  EXPECT_EQ(plan_layer_tiles({1, 1024, 100}, Dtype::f32, 2 << 20, 2).cols, 64u);
  EXPECT_EQ(plan_layer_tiles({1, 1024, 64}, Dtype::f32, 2 << 20, 2).cols, 64u) << "no panel below 64";
}

TEST(TilePlan, RowsWiderThanTheCacheArePanels) {
  const LayerShape wide{8, 16, std::size_t{1} << 20};  // a 4 MiB f32 row against a 1 MiB L2
  const LayerTiles p = plan_layer_tiles(wide, Dtype::f32, 1 << 20, 1);
  EXPECT_EQ(p.cols, 131072u);  // 512 KiB of f32
  EXPECT_EQ(p.rows, 1u);
  const LayerTiles gpu = plan_layer_tiles(wide, Dtype::f32, 1 << 20, 1, /*split_columns=*/false);
  EXPECT_EQ(gpu.cols, wide.n);
  EXPECT_EQ(gpu.rows, 1u);
  EXPECT_THROW(plan_layer_tiles({0, 1, 1}, Dtype::f32, 1 << 20, 1), std::invalid_argument);
  EXPECT_THROW(plan_layer_tiles({1, 1, 1}, Dtype::f32, 1 << 20, 0), std::invalid_argument);
}

// Over random shapes, caches and workers: the tiles cover y exactly once, each within half the
// cache unless a single row (or 64-element panel) is already larger, and there are at least as
// many tiles as workers wherever y has the rows or panels for it.
TEST(TilePlan, TilesCoverYOnceWithinTheBudget) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const LayerShape s{1 + rng() % 300, 1 + rng() % 50, 1 + rng() % 700};
    const Dtype d = trial % 2 ? Dtype::f32 : Dtype::bf16;
    const std::size_t cache = std::size_t{512} << (rng() % 12);
    const int workers = 1 + static_cast<int>(rng() % 4);
    const LayerTiles p = plan_layer_tiles(s, d, cache, workers);
    std::vector<int> hits(s.m * s.n);
    const std::size_t count = tile_count(s, p);
    for (std::size_t i = 0; i < count; ++i) {
      const Tile t = tile_at(s, p, i);
      ASSERT_GT(t.rows * t.cols, 0u);
      for (std::size_t r = t.row; r < t.row + t.rows; ++r)
        for (std::size_t c = t.col; c < t.col + t.cols; ++c) ++hits[r * s.n + c];
    }
    for (int h : hits) ASSERT_EQ(h, 1) << to_string(s);
    const std::size_t budget = cache / 2 / dtype_size(d);
    if (p.rows > 1) EXPECT_LE(p.rows * p.cols, budget) << to_string(s) << " cache " << cache;
    const std::size_t panels = (s.n + 63) / 64;
    if (s.m * panels >= static_cast<std::size_t>(workers))
      EXPECT_GE(count, static_cast<std::size_t>(workers)) << to_string(s) << " workers " << workers;
  }
}

// A layer row for the bound's tests, independent of which libraries were built.
Variant test_row(Activation a, Dtype d, Epilogue e, Accuracy acc) {
  Variant v{.name = "cpu/test/layer_test/f32", .device = Device::cpu, .activation = a, .variant = "layer_test",
            .dtype = d, .kind = Kind::kernel, .accuracy = acc, .uses_bias = false, .bytes_per_element = 0,
            .kernel = nullptr, .description = ""};
  v.layer = LayerMethod{"test", e};
  return v;
}

// A layer of normal x and w scaled by 1/sqrt(k) (so that sums are O(1) for every k), stored in d.
struct Inputs {
  LayerShape s;
  Dtype d;
  std::vector<unsigned char> x, w, b;
};
Inputs random_layer(const LayerShape& s, Dtype d, unsigned seed) {
  Inputs in{s, d, std::vector<unsigned char>(s.m * s.k * dtype_size(d)), std::vector<unsigned char>(s.k * s.n * dtype_size(d)),
            std::vector<unsigned char>(s.n * dtype_size(d))};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const float scale = 1.0f / std::sqrt(static_cast<float>(s.k));
  for (std::size_t i = 0; i < s.m * s.k; ++i) store_from_float(in.x.data(), i, d, normal(rng));
  for (std::size_t i = 0; i < s.k * s.n; ++i) store_from_float(in.w.data(), i, d, scale * normal(rng));
  for (std::size_t i = 0; i < s.n; ++i) store_from_float(in.b.data(), i, d, 0.5f * normal(rng));
  return in;
}
LayerReference reference_of(const Inputs& in) {
  return reference_layer(in.d, in.x.data(), in.w.data(), in.b.data(), in.s, sample_rows(in.s.m, in.s.m));
}
// y as the reference itself would store it: act(s) rounded once.
std::vector<unsigned char> exact_output(const LayerReference& ref, Dtype d, Activation a, const ActivationParams& p) {
  std::vector<unsigned char> y(ref.sum.size() * dtype_size(d));
  for (std::size_t i = 0; i < ref.sum.size(); ++i) store_from_float(y.data(), i, d, round_to_dtype(reference_value(a, ref.sum[i], p), d));
  return y;
}

TEST(LayerBound, GrowsLinearlyWithK) {
  const Variant relu = test_row(Activation::relu, Dtype::f32, Epilogue::library, Accuracy::exact);
  const ActivationParams p = default_params(Activation::elu);
  const double b1 = layer_allowed_error(layer_error_model(relu, 1024, p), 10.0, 100.0, 10.0);
  const double b2 = layer_allowed_error(layer_error_model(relu, 2048, p), 10.0, 100.0, 10.0);
  EXPECT_NEAR(b2 / b1, 2.0, 0.01);
  EXPECT_NEAR(b1, 1025 * 0x1p-24 * 100.0, 1025 * 0x1p-24 * 100.0 * 0.01) << "gamma_{k+1} u |x||w|, L = 1";
  EXPECT_EQ(gamma_n(1 << 24, 0x1p-24), INFINITY);
  // ELU with alpha 2 has a Lipschitz constant of 2: the same sum error counts twice.
  const Variant elu = test_row(Activation::elu, Dtype::f32, Epilogue::library, Accuracy::accurate);
  ActivationParams two = default_params(Activation::elu);
  two.value[Elu::kAlpha] = 2.0f;
  EXPECT_NEAR(lipschitz_constant(Activation::elu, two), 2.0, 0.01);
  EXPECT_NEAR(lipschitz_constant(Activation::selu, p), 1.0507 * 1.6733, 0.01);
  EXPECT_NEAR(lipschitz_constant(Activation::gelu, p), 1.1289, 0.01);
  EXPECT_EQ(lipschitz_constant(Activation::copy, p), 1.0);
  // A 16-bit sum stored before a separate activation adds its rounding; fused in f32, it does not.
  const Variant fused = test_row(Activation::relu, Dtype::bf16, Epilogue::library, Accuracy::exact);
  const Variant tiled = test_row(Activation::relu, Dtype::bf16, Epilogue::tiled, Accuracy::exact);
  EXPECT_EQ(layer_error_model(fused, 64, p).u_store, 0.0);
  EXPECT_EQ(layer_error_model(tiled, 64, p).u_store, 0x1p-8);
}

// An error planted at 0.99 of an element's bound passes and at 1.01 fails, for k = 1000.
TEST(LayerBound, AnErrorJustAboveTheBoundIsCaughtJustBelowPasses) {
  const Inputs in = random_layer({4, 1000, 8}, Dtype::f32, 11);
  const LayerReference ref = reference_of(in);
  const Variant v = test_row(Activation::elu, Dtype::f32, Epilogue::tiled, Accuracy::accurate);
  const ActivationParams p = default_params(Activation::elu);
  const std::vector<unsigned char> good = exact_output(ref, Dtype::f32, Activation::elu, p);
  const LayerCheckResult clean = check_layer(v, ref, good.data(), p);
  ASSERT_TRUE(clean.ok) << clean.message;
  EXPECT_LT(clean.bound_used, 0.1);
  const LayerErrorModel model = layer_error_model(v, 1000, p);
  for (std::size_t at : {std::size_t{5}, std::size_t{20}}) {
    const double want = reference_value(Activation::elu, ref.sum[at], p);
    const double bound = layer_allowed_error(model, ref.sum[at], ref.magnitude[at], want);
    for (double factor : {0.99, -0.99, 1.01, -1.01}) {
      std::vector<unsigned char> y = good;
      const float got = static_cast<float>(want + factor * bound);
      store_from_float(y.data(), at, Dtype::f32, got);
      const LayerCheckResult r = check_layer(v, ref, y.data(), p);
      EXPECT_EQ(r.ok, std::fabs(factor) < 1) << "factor " << factor << " at " << at << ": " << r.message;
      if (!r.ok) EXPECT_NE(r.message.find("y[" + std::to_string(at / 8) + "][" + std::to_string(at % 8) + "]"),
                           std::string::npos) << r.message;
    }
  }
}

// A wrong epilogue on one tile of rows (ELU with alpha 0.5 instead of 1, or no activation) is
// caught, and the message names an element of that tile.
TEST(LayerBound, AWrongEpilogueOnOneTileIsCaught) {
  const Inputs in = random_layer({12, 300, 16}, Dtype::bf16, 12);
  const LayerReference ref = reference_of(in);
  const Variant v = test_row(Activation::elu, Dtype::bf16, Epilogue::tiled, Accuracy::accurate);
  const ActivationParams p = default_params(Activation::elu), half = [] {
    ActivationParams h = default_params(Activation::elu);
    h.value[Elu::kAlpha] = 0.5f;
    return h;
  }();
  const std::vector<unsigned char> good = exact_output(ref, Dtype::bf16, Activation::elu, p);
  ASSERT_TRUE(check_layer(v, ref, good.data(), p).ok);
  const std::vector<unsigned char> wrong_alpha = exact_output(ref, Dtype::bf16, Activation::elu, half);
  const std::vector<unsigned char> skipped = exact_output(ref, Dtype::bf16, Activation::copy, p);
  for (const auto* planted : {&wrong_alpha, &skipped}) {
    std::vector<unsigned char> y = good;
    const std::size_t tile = 4 * 16 * 2, bytes = 4 * 16 * 2;  // rows 4..7
    std::copy(planted->begin() + tile, planted->begin() + tile + bytes, y.begin() + tile);
    const LayerCheckResult r = check_layer(v, ref, y.data(), p);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("y[4]["), std::string::npos) << r.message;
  }
}

TEST(LayerRegistry, LayerRowsAreTheirOwnView) {
  ASSERT_FALSE(layer_variants().empty());
  for (const Variant& v : all_variants()) EXPECT_FALSE(v.is_layer()) << v.name;
  for (const Variant& v : layer_variants()) {
    EXPECT_TRUE(v.is_layer()) << v.name;
    EXPECT_EQ(find_variant(v.name), nullptr) << v.name << " would reach the elementwise suite";
    EXPECT_EQ(find_layer_variant(v.name), &v);
    EXPECT_FALSE(v.is_backward()) << v.name;
    const Variant* ceiling = layer_ceiling_of(v);
    ASSERT_NE(ceiling, nullptr) << v.name << " has no ceiling";
    EXPECT_EQ(ceiling->activation, Activation::copy);
    EXPECT_EQ(ceiling->kind, Kind::ceiling);
    EXPECT_EQ(ceiling->layer->matmul, v.layer->matmul);
    EXPECT_EQ(v.kind == Kind::ceiling, v.layer->epilogue == Epilogue::none) << v.name;
  }
}

TEST(LayerRegistry, ArgumentsAreChecked) {
  const Variant& v = layer_variants().front();
  float x[6] = {}, w[6] = {}, b[3] = {}, y[6] = {};
  RunArgs a;
  a.x = x, a.w = w, a.bias = b, a.y = y, a.layer = {2, 2, 3}, a.n = 6, a.cols = 3;
  EXPECT_NO_THROW(v.check_args(a));
  RunArgs bad = a;
  bad.n = 4;
  EXPECT_THROW(v.check_args(bad), std::runtime_error);
  bad = a;
  bad.w = nullptr;
  EXPECT_THROW(v.check_args(bad), std::runtime_error);
  bad = a;
  bad.layer.k = 0;
  EXPECT_THROW(v.check_args(bad), std::runtime_error);
}

}  // namespace
