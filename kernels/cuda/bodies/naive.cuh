// gpu/*/naive body: one element per thread, scalar loads and stores, f16/bf16 computed in float
// through the shared elu/relu (expm1f). The grid-stride loop only matters when the simulated
// (or a clamped) grid is smaller than n; the real launch gives every element its own thread.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <Activation A, class T>
EB_HD void naive_body(size_t tid, size_t nthreads, const Args<T>& a) {
  const auto op = [&] {
    if constexpr (A == Activation::elu) return EluLibmOp{a.alpha};
    else return ReluOp{};
  }();
  for (size_t i = tid; i < a.n; i += nthreads) a.y[i] = from_float<T>(op.f(to_float(a.x[i])));
}

}  // namespace elubench::cuda
