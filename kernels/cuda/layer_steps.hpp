// A GPU layer call as two steps on one stream, matmul + bias over a block of y's rows, then the
// activation over that block, in the orders the layer rows use (layer_cublaslt.cpp): plain C++,
// so that the host simulation runs the same orders with a host matmul and the activation's
// simulated body (tests/test_cuda_bodies.cu).
#pragma once

#include <stdexcept>

#include "elubench/layer.hpp"
#include "elubench/registry.hpp"

namespace elubench::gpu_layer {

// Unfused: the matmul over every row, then the activation as a second pass over y.
template <class Matmul, class Activate>
void run_separate(const RunArgs& a, Matmul&& matmul_bias, Activate&& activate) {
  matmul_bias(a);
  activate(a);
}

// Ours, fused by tiling: blocks of whole rows (plan.cols == n: a block of y is contiguous),
// each block's matmul then its activation, issued in order on the stream, so that the
// activation reads a block the matmul has just written while it is still in L2.
template <class Matmul, class Activate>
void run_tiled(const RunArgs& a, Dtype d, const LayerTiles& plan, Matmul&& matmul_bias, Activate&& activate) {
  if (plan.cols != a.layer.n) throw std::logic_error("gpu_layer::run_tiled: a plan of whole rows only");
  for (std::size_t i = 0; i < plan.row_tiles; ++i) {
    const Tile t = tile_at(a.layer, plan, i);  // whole rows: tile i is band i
    const RunArgs block = rows_args(a, d, t.row, t.rows);
    matmul_bias(block);
    activate(block);
  }
}

// The plan for a GPU with `l2_bytes` of L2: one worker (the whole GPU runs each block), whole
// rows only (a column panel would need one activation launch per row).
inline LayerTiles gpu_plan(const LayerShape& s, Dtype d, std::size_t l2_bytes) {
  return plan_layer_tiles(s, d, l2_bytes, 1, /*split_columns=*/false);
}

}  // namespace elubench::gpu_layer
