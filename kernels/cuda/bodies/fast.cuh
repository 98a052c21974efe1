// gpu/elu/fast body: the vectorized engine calling elu_fast (exp2 by exponent bits plus a
// degree-6 polynomial, expm1 rebuilt without cancellation, saturation at -alpha) instead of
// expm1f, whose accurate path costs more instructions than the rest of the kernel.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <class T>
EB_HD void fast_body(size_t tid, size_t nthreads, const Args<T>& a) {
  stream_body(tid, nthreads, a.x, a.y, a.n, FloatMath<T, EluFastOp>{EluFastOp{a.alpha}});
}

}  // namespace elubench::cuda
