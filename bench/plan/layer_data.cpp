#include "plan/layer_data.hpp"

#include <cmath>

#include "plan/inputs.hpp"

namespace elubench::bench {

namespace {
// n elements of dtype d drawn from dist, then multiplied by scale (in float, stored once).
void fill_scaled(HostBuffer& b, std::size_t n, Dtype d, Input dist, unsigned seed, float scale) {
  fill_input(b.data(), n, d, dist, seed);
  if (scale != 1.0f)
    for (std::size_t i = 0; i < n; ++i) store_from_float(b.data(), i, d, scale * load_as_float(b.data(), i, d));
  b.protect();
}
}  // namespace

const LayerWeights& LayerBuffers::weights(Dtype d, std::size_t k, std::size_t n) {
  auto& slot = weights_[{d, 0, k, n}];
  if (slot) return *slot;
  const std::size_t es = dtype_size(d);
  const unsigned seed = (seed_ ^ 0x5eedu) + static_cast<unsigned>(k * 31 + n * 7) + static_cast<unsigned>(d);
  slot = std::make_unique<LayerWeights>();
  slot->w = std::make_shared<HostBuffer>(k * n * es, HostBuffer::kOffsetX);
  slot->bias = std::make_shared<HostBuffer>(n * es, HostBuffer::kOffsetBias);
  fill_scaled(*slot->w, k * n, d, Input::normal, seed, 1.0f / std::sqrt(static_cast<float>(k)));
  fill_scaled(*slot->bias, n, d, Input::normal, seed ^ 0xb1a5u, 1.0f);
  slot->version = weights_.size();
  return *slot;
}

LayerData& LayerBuffers::data(Dtype d, const LayerShape& s) {
  auto& slot = data_[{d, s.m, s.k, s.n}];
  if (slot) return *slot;
  const std::size_t es = dtype_size(d);
  const unsigned seed = seed_ + static_cast<unsigned>(s.m * 131 + s.k * 31 + s.n * 7) + static_cast<unsigned>(d);
  slot = std::make_unique<LayerData>();
  LayerData& l = *slot;
  l.shape = s;
  l.dtype = d;
  l.x = std::make_shared<HostBuffer>(s.m * s.k * es, HostBuffer::kOffsetX);
  l.y = std::make_shared<HostBuffer>(s.m * s.n * es, HostBuffer::kOffsetY);
  fill_scaled(*l.x, s.m * s.k, d, dist_, seed, 1.0f);
  l.weights = &weights(d, s.k, s.n);
  return l;
}

const LayerReference& LayerBuffers::reference(Dtype d, const LayerShape& s) {
  LayerData& l = data(d, s);
  if (!l.reference)
    l.reference = reference_layer(d, l.x->data(), l.weights->w->data(), l.weights->bias->data(), s,
                                  sample_rows(s.m, kLayerReferenceRows), static_cast<int>(host_threads()));
  return *l.reference;
}

}  // namespace elubench::bench
