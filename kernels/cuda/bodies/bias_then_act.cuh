// gpu/*/bias_then_act bodies: the unfused reference for fused_bias. Pass 1 writes y = x + b
// (rounded to the storage type, as a framework's separate add kernel would); pass 2 runs the
// activation in place on y. Four global accesses per element instead of two: the cost that
// fusing removes. Both passes use the same streaming engine as the fused kernel, so the
// comparison isolates the extra pass.
#pragma once

#include "fused_bias.cuh"

namespace elubench::cuda {

template <class T>
EB_HD void bias_add_body(size_t tid, size_t nthreads, const Args<T>& a) {
  bias_stream_body(tid, nthreads, a.x, a.y, a.n, a.bias, a.cols, IdentityOp{});
}

template <Activation A, class T>
EB_HD void act_in_place_body(size_t tid, size_t nthreads, const Args<T>& a) {
  using Op = typename ActOp<A>::type;
  stream_body(tid, nthreads, a.y, a.y, a.n, FloatMath<T, Op>{make_op<A>(a.alpha)});
}

}  // namespace elubench::cuda
