#include "results/layer_metrics.hpp"

#include <map>
#include <string>
#include <tuple>

#include "elubench/layer.hpp"

namespace elubench::bench {

namespace {
// The rows a layer row is judged against share all of this.
using LayerKey = std::tuple<Device, Dtype, std::size_t, std::size_t, std::size_t, int, int, std::string>;
LayerKey key_of(const Row& r) {
  const LayerShape& s = *r.layer;
  return {r.variant->device, r.variant->dtype, s.m, s.k, s.n, r.threads.value_or(0),
          r.cache ? static_cast<int>(*r.cache) : -1, r.variant->layer->matmul};
}
bool timed_layer(const Row& r) { return r.layer && r.status == Status::ok && r.time && r.time->median > 0; }
}  // namespace

void derive_layer_metrics(std::vector<Row>& rows) {
  std::map<LayerKey, double> identity;
  std::map<std::pair<LayerKey, std::string>, double> relu;  // by variant
  for (Row& r : rows) {
    if (!timed_layer(r)) continue;
    r.flops_per_s = layer_flops(*r.layer) / r.time->median;
    if (r.variant->layer->epilogue == Epilogue::none) identity[key_of(r)] = r.time->median;
    if (r.variant->activation == Activation::relu) relu[{key_of(r), r.variant->variant}] = r.time->median;
  }
  for (Row& r : rows) {
    if (!timed_layer(r)) continue;
    const double t = r.time->median;
    if (const auto it = identity.find(key_of(r)); it != identity.end()) {
      r.overhead_vs_identity = t / it->second - 1;
      r.pct_of_ceiling = 100 * it->second / t;
    }
    if (const auto it = relu.find({key_of(r), r.variant->variant}); it != relu.end()) r.cost_vs_relu = t / it->second;
  }
}

}  // namespace elubench::bench
