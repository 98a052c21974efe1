// One row's buffers and the arguments its variant is called with. On the host: the shared input
// of its (dtype, n) (a backward reads its saved tensor instead, and dy), the shared output, and
// the row's own bias. A GPU row adds device copies, each with canary pages (buffers/guards.hpp),
// and is called on those.
#pragma once

#include <cstdint>
#include <memory>

#include "buffers/guards.hpp"
#include "buffers/host_buffer.hpp"
#include "plan/shared_buffers.hpp"
#include "results/row.hpp"

namespace elubench::bench {

struct RowBuffers {
  std::shared_ptr<const HostBuffer> x;     // the input, or a backward's saved tensor
  std::shared_ptr<const HostBuffer> grad;  // a backward's dy; null otherwise
  std::shared_ptr<HostBuffer> y;           // the size's shared output (GPU rows: the host copy)
  HostBuffer bias;                         // bias variants; empty otherwise
  LayerData* layer = nullptr;              // layer rows: x, w, bias and y (y is also `y`)
  std::unique_ptr<DeviceBuffer> dx, dy, dbias, dgrad, dw;  // GPU rows (dw: a layer's w)
  RunArgs args;                            // host pointers, or device pointers after to_device

  // The host side: the shared buffers, a fresh bias drawn with `seed`, args pointing at them. A
  // CPU row's output is filled with 0xAB, a recognisable non-result, so a variant that writes
  // nothing fails the check.
  void make_host(const Row& row, SharedBuffers& shared, unsigned seed);
  // A GPU row: device copies of the host inputs and an output filled with 0xAB; args point at them.
  void to_device(const Row& row);
  // A layer row: its (dtype, shape)'s data, y filled with 0xAB, args for the layer call with the
  // weights packed once per run where the library packs (RunArgs::weights_version).
  void make_layer_host(const Row& row, LayerBuffers& layers);
  // A GPU layer row: device copies of x, w and bias, y filled with 0xAB; args point at them.
  void layer_to_device(const Row& row);
  void release();
};

}  // namespace elubench::bench
