#include "plan/row_buffers.hpp"

#include <algorithm>

#include "elubench/gpu.hpp"
#include "plan/inputs.hpp"

namespace elubench::bench {

void RowBuffers::make_host(const Row& row, SharedBuffers& shared, unsigned seed) {
  const Variant& v = *row.variant;
  const std::size_t n = row.n, es = dtype_size(v.dtype), cols = row.cols.value_or(0);
  x = v.is_backward() ? shared.saved(v, n, row.params) : shared.input(v.dtype, n);
  if (v.is_backward()) grad = shared.grad(v.dtype, n);
  y = shared.output(v.dtype, n);  // GPU rows too: no 1 GiB allocation per 2^28 row
  if (v.uses_bias) {
    bias = HostBuffer(cols * es, HostBuffer::kOffsetBias);
    fill_input(bias.data(), cols, v.dtype, Input::normal, seed ^ 0xb1a5u);
    bias.protect();
  }
  if (v.device == Device::cpu) std::fill(y->begin(), y->end(), static_cast<unsigned char>(0xAB));
  args = RunArgs{};
  args.n = n;
  args.params = row.params;
  args.cols = cols;
  args.threads = row.threads.value_or(1);
  args.x = x->data();
  args.y = y->data();
  args.grad = grad ? grad->data() : nullptr;
  args.bias = bias.data();
}

void RowBuffers::to_device(const Row& row) {
  const Variant& v = *row.variant;
  const std::size_t n = row.n, es = dtype_size(v.dtype), cols = row.cols.value_or(0);
  dx = std::make_unique<DeviceBuffer>(n * es);
  dy = std::make_unique<DeviceBuffer>(n * es);
  gpu::copy_to_device(dx->get(), x->data(), n * es);
  gpu::memset(dy->get(), 0xAB, n * es);
  args.x = dx->get();
  args.y = dy->get();
  if (v.is_backward()) {
    dgrad = std::make_unique<DeviceBuffer>(n * es);
    gpu::copy_to_device(dgrad->get(), grad->data(), n * es);
    args.grad = dgrad->get();
  }
  if (v.uses_bias) {
    dbias = std::make_unique<DeviceBuffer>(cols * es);
    gpu::copy_to_device(dbias->get(), bias.data(), cols * es);
    args.bias = dbias->get();
  }
}

void RowBuffers::make_layer_host(const Row& row, LayerBuffers& layers) {
  const Variant& v = *row.variant;
  layer = &layers.data(v.dtype, *row.layer);
  x = layer->x;  // a write into it is named as one into x
  y = layer->y;
  std::fill(y->begin(), y->end(), static_cast<unsigned char>(0xAB));
  args = RunArgs{};
  args.layer = *row.layer;
  args.n = row.n;
  args.cols = row.layer->n;
  args.params = row.params;
  args.threads = row.threads.value_or(1);
  args.x = layer->x->data();
  args.w = layer->weights->w->data();
  args.bias = layer->weights->bias->data();
  args.y = y->data();
  args.weights_version = layer->weights->version;
}

void RowBuffers::layer_to_device(const Row& row) {
  const LayerShape& s = *row.layer;
  const std::size_t es = dtype_size(row.variant->dtype);
  const auto copy = [](std::unique_ptr<DeviceBuffer>& d, const HostBuffer& h, std::size_t bytes) {
    d = std::make_unique<DeviceBuffer>(bytes);
    gpu::copy_to_device(d->get(), h.data(), bytes);
    return d->get();
  };
  args.x = copy(dx, *layer->x, s.m * s.k * es);
  args.w = copy(dw, *layer->weights->w, s.k * s.n * es);
  args.bias = copy(dbias, *layer->weights->bias, s.n * es);
  dy = std::make_unique<DeviceBuffer>(s.m * s.n * es);
  gpu::memset(dy->get(), 0xAB, s.m * s.n * es);
  args.y = dy->get();
}

void RowBuffers::release() {
  layer = nullptr;
  x.reset();
  y.reset();
  grad.reset();
  bias = HostBuffer();
  dx.reset();
  dy.reset();
  dbias.reset();
  dgrad.reset();
  dw.reset();
}

}  // namespace elubench::bench
