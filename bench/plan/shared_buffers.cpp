#include "plan/shared_buffers.hpp"

#include "elubench/reference.hpp"
#include "plan/inputs.hpp"

namespace elubench::bench {

const std::shared_ptr<HostBuffer>& SharedBuffers::made(Slot& slot, std::size_t bytes, std::size_t offset,
                                                      std::function<void(HostBuffer&)> fill) {
  if (!slot.buffer) {
    slot.buffer = std::make_shared<HostBuffer>(bytes, offset);
    slot.fill = std::move(fill);
    if (slot.fill) slot.fill(*slot.buffer);
  }
  return slot.buffer;
}

std::shared_ptr<const HostBuffer> SharedBuffers::input(Dtype d, std::size_t n) {
  const unsigned seed = seed_ + static_cast<unsigned>(n) * 31u + static_cast<unsigned>(d);
  return made(inputs_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetX, [this, d, n, seed](HostBuffer& b) {
    fill_input(b.data(), n, d, dist_, seed);
    b.protect();
  });
}

std::shared_ptr<HostBuffer> SharedBuffers::output(Dtype d, std::size_t n) {
  return made(outputs_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetY, nullptr);
}

std::shared_ptr<const HostBuffer> SharedBuffers::grad(Dtype d, std::size_t n) {
  const unsigned seed = (seed_ ^ 0xd7d7u) + static_cast<unsigned>(n) * 17u + static_cast<unsigned>(d);
  return made(grads_[{d, n}], n * dtype_size(d), HostBuffer::kOffsetBias, [d, n, seed](HostBuffer& b) {
    fill_input(b.data(), n, d, Input::normal, seed);
    b.protect();
  });
}

std::shared_ptr<const HostBuffer> SharedBuffers::saved(const Variant& backward, std::size_t n, const ActivationParams& p) {
  if (!saved_is_output(backward)) return input(backward.dtype, n);
  auto& slot = saved_[{backward.activation, backward.dtype, n, p}];
  return made(slot, n * dtype_size(backward.dtype), HostBuffer::kOffsetX, [this, &backward, n, p](HostBuffer& b) {
    make_saved_input_parallel(backward, input(backward.dtype, n)->data(), b.data(), n, p);
    b.protect();
  });
}

void SharedBuffers::restore_inputs() {
  const auto refill = [](Slot& slot) {
    slot.buffer->unprotect();
    slot.buffer->arm();
    if (slot.fill) slot.fill(*slot.buffer);  // an input: filled and read-only again
  };
  for (auto* slots : {&inputs_, &grads_, &outputs_})  // inputs before the saved tensors made from them
    for (auto& [key, slot] : *slots) refill(slot);
  for (auto& [key, slot] : saved_) refill(slot);
}

}  // namespace elubench::bench
