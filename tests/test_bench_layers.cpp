// The layer rows in the bench (--layers): which rows a layer run selects, the metrics derived
// against the identity layer and ReLU's layer, a layer row's JSON written and read back, and the
// summary's headline. The rows themselves against the float64 layer: test_layer_rows.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "elubench/layer.hpp"
#include "plan/rows.hpp"
#include "results/ceilings.hpp"
#include "results/layer_metrics.hpp"
#include "results/layer_summary.hpp"
#include "results/row_json.hpp"

using namespace elubench;
using namespace elubench::bench;

namespace {

const Variant& layer(const char* name) {
  const Variant* v = find_layer_variant(name);
  if (!v) throw std::runtime_error(std::string("no layer row ") + name);
  return *v;
}

Row layer_row(const char* name, LayerShape s, double seconds, int threads = 2) {
  Row r;
  r.variant = &layer(name);
  r.layer = s;
  r.n = s.m * s.n;
  r.threads = threads;
  r.bytes = layer_bytes(s, r.variant->dtype);
  r.status = Status::ok;
  r.time = compute_stats(std::vector<double>(10, seconds));
  return r;
}

Platform cpu_only() {
  Platform p;
  p.hardware_threads = 2;
  p.gpu_reason = "no GPU in this test";
  return p;
}

TEST(LayerSelection, ALayerRunHasOnlyLayerRowsAndTheirCeilings) {
  Options o;
  o.layers = true;
  o.devices = {Device::cpu};
  o.activations = {Activation::elu};
  o.variants = {"layer_onednn_tiled"};
  o.layer_shapes = {{64, 288, 32}, {256, 288, 32}};
  o.threads = {1};
  const auto rows = select_rows(o, cpu_only());
  std::set<std::string> names;
  for (const Row& r : rows) {
    ASSERT_TRUE(r.layer.has_value()) << r.label();
    EXPECT_EQ(r.n, r.layer->m * r.layer->n);
    EXPECT_EQ(r.variant->dtype, Dtype::f32) << "a layer run is f32 unless --dtype says otherwise";
    names.insert(r.variant->name);
  }
  EXPECT_EQ(names, (std::set<std::string>{"cpu/elu/layer_onednn_tiled/f32", "cpu/copy/layer_onednn/f32"}));
  EXPECT_EQ(rows.size(), 4u);  // two shapes, each with its identity layer
  o.layers = false;
  o.variants = {"vectorized"};
  for (const Row& r : select_rows(o, cpu_only())) EXPECT_FALSE(r.layer.has_value()) << r.label();
}

TEST(LayerSelection, QuickRunsEachDefaultLayerAtItsSmallestM) {
  Options o;
  o.layers = true;
  o.quick = true;
  o.devices = {Device::cpu};
  o.variants = {"layer_onednn"};
  std::set<std::string> shapes, dtypes;
  for (const Row& r : select_rows(o, cpu_only())) {
    shapes.insert(to_string(*r.layer));
    dtypes.insert(std::string(to_string(r.variant->dtype)));
  }
  EXPECT_EQ(shapes, (std::set<std::string>{"1x1024x4096", "1x4096x1024", "256x288x32", "256x576x64"}));
  EXPECT_EQ(dtypes, (std::set<std::string>{"f32"}));
}

TEST(LayerMetrics, OverheadOverTheIdentityAndCostOverReluOfTheSameVariant) {
  const LayerShape s{64, 1024, 4096}, other{64, 4096, 1024};  // the same m * n: told apart by shape
  std::vector<Row> rows = {layer_row("cpu/copy/layer_onednn/f32", s, 1.0),
                           layer_row("cpu/relu/layer_onednn_tiled/f32", s, 1.1),
                           layer_row("cpu/elu/layer_onednn_tiled/f32", s, 1.32),
                           layer_row("cpu/elu/layer_onednn_postop/f32", s, 1.5),
                           layer_row("cpu/copy/layer_onednn/f32", other, 4.0),
                           layer_row("cpu/elu/layer_onednn_tiled/f32", s, 3.0, 1)};  // 1 thread: no partners
  derive_metrics(rows, 0);
  EXPECT_DOUBLE_EQ(*rows[0].overhead_vs_identity, 0.0);
  EXPECT_NEAR(*rows[2].overhead_vs_identity, 0.32, 1e-12);
  EXPECT_NEAR(*rows[2].pct_of_ceiling, 100 / 1.32, 1e-9);
  EXPECT_NEAR(*rows[2].cost_vs_relu, 1.2, 1e-12);
  EXPECT_FALSE(rows[3].cost_vs_relu.has_value()) << "ReLU's postop layer did not run";
  EXPECT_NEAR(*rows[3].overhead_vs_identity, 0.5, 1e-12);
  EXPECT_NEAR(*rows[2].flops_per_s, 2.0 * 64 * 1024 * 4096 / 1.32, 1e-3);
  EXPECT_FALSE(rows[5].overhead_vs_identity.has_value());
  EXPECT_FALSE(rows[5].cost_vs_relu.has_value());
}

TEST(LayerJson, ALayerRowIsWrittenAndReadBack) {
  std::vector<Row> rows = {layer_row("cpu/copy/layer_onednn/f32", {8, 24, 40}, 1e-3),
                           layer_row("cpu/relu/layer_onednn_tiled/f32", {8, 24, 40}, 1.1e-3),
                           layer_row("cpu/elu/layer_onednn_tiled/f32", {8, 24, 40}, 1.2e-3)};
  derive_metrics(rows, 0);
  rows[2].layer_bound_used = 0.25;
  const nlohmann::json j = row_to_json(rows[2]);
  EXPECT_EQ(j["layer"]["m"], 8);
  EXPECT_EQ(j["layer"]["epilogue"], "tiled");
  EXPECT_EQ(j["layer"]["matmul"], "onednn");
  const Row back = row_from_json(j);
  ASSERT_TRUE(back.layer.has_value());
  EXPECT_EQ(*back.layer, (LayerShape{8, 24, 40}));
  EXPECT_EQ(back.label(), rows[2].label());
  EXPECT_EQ(row_to_json(back)["layer"], j["layer"]);  // the rates are derived again (derive_metrics), not read
  nlohmann::json no_block = j;
  no_block.erase("layer");
  EXPECT_THROW(row_from_json(no_block), UsageError);
  nlohmann::json wrong_n = j;
  wrong_n["n"] = 7;
  EXPECT_THROW(row_from_json(wrong_n), UsageError);
}

TEST(LayerSummary, TheHeadlineTakesTheLargestLayerAndTheFastestOfEach) {
  const LayerShape small{1, 1024, 4096}, big{256, 1024, 4096};
  std::vector<Row> rows = {layer_row("cpu/relu/layer_onednn_postop/f32", small, 1.0),
                           layer_row("cpu/elu/layer_onednn_postop/f32", small, 5.0),
                           layer_row("cpu/relu/layer_onednn_postop/f32", big, 2.0),
                           layer_row("cpu/relu/layer_onednn_tiled/f32", big, 2.2),
                           layer_row("cpu/elu/layer_onednn_postop/f32", big, 2.6),
                           layer_row("cpu/elu/layer_onednn_tiled/f32", big, 2.1)};
  EXPECT_EQ(layer_headlines(rows),
            (std::vector<std::string>{"cpu f32, 2 threads: inside a (1024, 4096) layer at 256 rows, ELU costs 1.05x "
                                      "ReLU's layer (fastest of each: layer_onednn_tiled, layer_onednn_postop)"}));
}

}  // namespace
