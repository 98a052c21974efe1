// gpu/*/bias_then_act bodies: the unfused reference for fused_bias. Pass 1 writes y = x + b
// (rounded to the storage type, as a framework's separate add kernel would); pass 2 runs the
// activation in place on y. Four global accesses per element instead of two: the cost that
// fusing removes. Both passes use the same streaming engine as the fused kernel, so the
// comparison isolates the extra pass.
#pragma once

#include "fused_bias.cuh"

namespace elubench::cuda {

// Pass 1, the same for every activation: y = x + b[col], rounded to T.
struct bias_add {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    bias_stream_body(tid, nthreads, a.x, a.y, a.n, a.bias, a.cols, IdentityOp{});
  }
};

// Pass 2: y = act(y) in place, the vectorized body's math (forward activations only).
template <class Act> struct act_in_place {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    static_assert(is_forward_act<Act::value>, "act_in_place: forward activations only");
    stream_activation<Act, AccurateMath, T>(tid, nthreads, a.y, nullptr, a.y, a.n, a.params);
  }
};

}  // namespace elubench::cuda
