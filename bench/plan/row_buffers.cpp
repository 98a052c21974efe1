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

void RowBuffers::release() {
  x.reset();
  y.reset();
  grad.reset();
  bias = HostBuffer();
  dx.reset();
  dy.reset();
  dbias.reset();
  dgrad.reset();
}

}  // namespace elubench::bench
