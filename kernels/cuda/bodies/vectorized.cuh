// gpu/*/vectorized body: the streaming engine (16-byte Packs, kUnroll loads in flight, wide
// bounds-checked last step, scalar head and tail) with the accurate float math: ELU is the
// branch-free degree-6 polynomial elu_accurate (f32 <= 2 ULP at alpha = 1, <= 3 otherwise;
// f16/bf16 <= 1 ULP), the same operations as the CPU vectorized variant.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <Activation A, class T>
EB_HD void vectorized_body(size_t tid, size_t nthreads, const Args<T>& a) {
  using Op = typename ActOp<A>::type;
  stream_body(tid, nthreads, a.x, a.y, a.n, FloatMath<T, Op>{make_op<A>(a.alpha)});
}

}  // namespace elubench::cuda
