// gpu/*/fast body (traits with has_fast_form): the vectorized engine with the trait's math on
// FastMath, whose expm1 is the degree-5 polynomial (exp2 by exponent bits, expm1 rebuilt without
// cancellation, saturation, branch-free) instead of the accurate degree 6: one FMA per element
// fewer, the approximate class (<= 4 ULP, or 2^-22 absolute near 0). Forward only.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <class Act> struct fast {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    static_assert(is_forward_act<Act::value>, "fast: forward activations only");
    stream_activation<Act, FastMath>(tid, nthreads, a.x, a.grad, a.y, a.n, a.params);
  }
};

}  // namespace elubench::cuda
