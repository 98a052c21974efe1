// gpu/*/vectorized body: the streaming engine (16-byte Packs, kUnroll loads in flight, scalar
// head and tail) with the accurate float math (expm1f: f32 <= 2 ULP, f16/bf16 <= 1 ULP).
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <Activation A, class T>
EB_HD void vectorized_body(size_t tid, size_t nthreads, const Args<T>& a) {
  using Op = typename ActOp<A>::type;
  stream_body(tid, nthreads, a.x, a.y, a.n, FloatMath<T, Op>{make_op<A>(a.alpha)});
}

}  // namespace elubench::cuda
