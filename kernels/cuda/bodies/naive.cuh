// gpu/*/naive body: one element per thread, scalar loads and stores, f16/bf16 computed in float
// through the trait's math on LibmMath (expm1f, expf, erff: what a first kernel calls). The
// grid-stride loop only matters when the simulated (or a clamped) grid is smaller than n; the
// real launch gives every element its own thread. Backward: dx[i] = f'(.) * dy[i] from the
// saved tensor x[i].
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <class Act> struct naive {
  static constexpr bool kStreams = false;  // one element per thread: the grid covers n
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    constexpr Activation A = Act::value;
    using Trait = trait_t<A>;
    const LibmMath m;
    if constexpr (is_forward_act<A>) {
      for (size_t i = tid; i < a.n; i += nthreads) a.y[i] = from_float<T>(Trait::forward(m, to_float(a.x[i]), a.params));
    } else if constexpr (is_backward_act<A>) {
      for (size_t i = tid; i < a.n; i += nthreads)
        a.y[i] = from_float<T>(Trait::backward(m, to_float(a.grad[i]), to_float(a.x[i]), a.params));
    } else {
      static_assert(kNever<Act>, "naive: copy has no math");
    }
  }
};

}  // namespace elubench::cuda
