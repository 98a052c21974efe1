// The host data of the layer rows (--layers), shared per (dtype, shape) for the run as
// SharedBuffers shares the elementwise rows' inputs: x, w and bias drawn once and read-only, y
// the rows' one output (a row poisons it before its timed calls and checks it after its last
// repetition, before any other row runs), and the float64 reference of sampled rows of y,
// computed on first need and reused by every row of the shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "buffers/host_buffer.hpp"
#include "cli/options.hpp"
#include "elubench/reference_layer.hpp"
#include "elubench/registry.hpp"

namespace elubench::bench {

// Rows of y the reference computes (sample_rows): every row up to this many, else this many
// spread from the first to the last. 64 rows of a 1024 x 4096 layer take ~0.3 s in double on
// two cores; a fault confined to fewer rows than m / 64 may fall between them.
inline constexpr std::size_t kLayerReferenceRows = 64;

// A layer's weights: one w and bias per (dtype, k, n), shared by the shapes that differ only in
// m, as a network's layer runs at every batch size with the same weights.
struct LayerWeights {
  std::shared_ptr<HostBuffer> w, bias;
  // Nonzero and unique to these contents: a library packs w once and reuses the packed copy, as
  // a framework does with a layer's constant weights (RunArgs::weights_version).
  std::uint64_t version;
};

struct LayerData {
  LayerShape shape;
  Dtype dtype;
  std::shared_ptr<HostBuffer> x, y;
  const LayerWeights* weights;
  std::optional<LayerReference> reference;
};

class LayerBuffers {
 public:
  // x from the --input distribution; w normal scaled by 1/sqrt(k) and bias normal, so that the
  // pre-activations x.w + bias have unit scale and both signs whatever k is.
  LayerBuffers(Input dist, unsigned seed) : dist_(dist), seed_(seed) {}
  LayerData& data(Dtype d, const LayerShape& s);
  // The reference of data(d, s), made on first call (all cores).
  const LayerReference& reference(Dtype d, const LayerShape& s);

 private:
  const LayerWeights& weights(Dtype d, std::size_t k, std::size_t n);
  using Key = std::tuple<Dtype, std::size_t, std::size_t, std::size_t>;
  Input dist_;
  unsigned seed_;
  std::map<Key, std::unique_ptr<LayerData>> data_;
  std::map<Key, std::unique_ptr<LayerWeights>> weights_;  // key (dtype, 0, k, n)
};

}  // namespace elubench::bench
