// oneDNN's matmul as the CPU layer rows use it (layer_onednn.cpp): y's tile = x's rows . w's
// column panel + bias, optionally with one eltwise post-op, on the calling thread with the
// OpenMP thread count it is given. Internal to the library.
#pragma once

#include <dnnl.hpp>

#include <optional>

#include "elubench/layer.hpp"
#include "elubench/registry.hpp"

namespace elubench::cpu::onednn {

// dst = scale * eltwise(dst; alpha, beta): one oneDNN eltwise post-op.
struct PostOp {
  dnnl::algorithm algorithm;
  float alpha = 0, beta = 0, scale = 1;
};

// A primitive and the weights it reads, ready to execute on one tile: made on the calling thread
// (creation and packing are not thread-safe here), executed on any.
struct Prepared {
  const dnnl::matmul::primitive_desc* pd;
  const dnnl::matmul* prim;
  dnnl::memory weights;
};

// The matmul of tile t of layer a (dtype d) with post-op `post`, created on first use and then
// reused (a framework builds a primitive once per shape). Its weights are w's column panel read
// in place when a.weights_version is 0; otherwise oneDNN's preferred (blocked) layout, packed once
// per (w, weights_version, panel) and kept. Throws VariantUnavailable where this oneDNN has no
// matmul for the dtype on this CPU, or only its reference C++ loop.
Prepared prepare(const RunArgs& a, Dtype d, const Tile& t, const std::optional<PostOp>& post);

// Runs it on the calling thread with `threads` OpenMP threads (oneDNN 2.6 is built on OpenMP).
void execute(const Prepared& p, const RunArgs& a, Dtype d, const Tile& t, int threads);

// The whole layer as one tile: prepare and execute.
void run_whole(const RunArgs& a, Dtype d, const std::optional<PostOp>& post);

}  // namespace elubench::cpu::onednn
