// gpu/*/vectorized body: the streaming engine (16-byte Packs, kUnroll loads in flight, wide
// bounds-checked last step, scalar head and tail) with the trait's math on AccurateMath (the
// branch-free degree-6 expm1; expf/erff where the trait needs them). Backward streams two
// inputs, the saved tensor and dy, with the same 16-byte Packs.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <class Act> struct vectorized {
  static constexpr bool kStreams = true;
  // A backward holds two inputs' Packs (8 x 16 B per thread): under ptxas's default 64-register
  // cap gelu_backward/f32 spills on sm_90, and at 3 blocks per SM (85 registers) silu_backward
  // and gelu_tanh_backward/bf16 do. 2 blocks per SM (up to 128 registers) still keep
  // 512 threads x 128 B = 64 KiB in flight per SM, about what the forward kernels keep.
  static constexpr int kMinBlocks = is_backward_act<Act::value> ? 2 : 0;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    stream_activation<Act, AccurateMath>(tid, nthreads, a.x, a.grad, a.y, a.n, a.params);
  }
};

}  // namespace elubench::cuda
