// gpu/*/fused_bias body: y = act(x + b[col]) for x of rows x cols, in one pass: the bias-add
// and the activation share one read and one write of x (bias_then_act pays two of each).
// x and y go through the streaming engine (16-byte accesses); the bias row is small and stays
// in cache, so it is read as a 16-byte Pack where that is possible (cols a multiple of the
// width and x, bias 16-byte aligned, so that every Pack of x starts at a Pack of the bias) and
// element by element otherwise. Any cols works.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

template <class T, class Op> struct BiasPolicy {
  Op op;
  const T* bias;
  size_t cols;
  bool bias_packs;  // every Pack of x lines up with an aligned Pack of the bias

  EB_HD T biased(T x, T b) const { return from_float<T>(op.f(to_float(x) + to_float(b))); }
  EB_HD T one(size_t i, T x) const { return biased(x, bias[i % cols]); }
  EB_HD Pack<T> pack(size_t first, const Pack<T>& p) const {
    size_t c = first % cols;  // one division per 16 bytes, not per element
    Pack<T> b;
    if (bias_packs) {
      check_pack_aligned(bias + c);
      b = *reinterpret_cast<const Pack<T>*>(bias + c);
    } else {
#pragma unroll
      for (int k = 0; k < kVec<T>; ++k) {
        b.v[k] = bias[c];
        if (++c == cols) c = 0;
      }
    }
    Pack<T> r;
#pragma unroll
    for (int k = 0; k < kVec<T>; ++k) r.v[k] = biased(p.v[k], b.v[k]);
    return r;
  }
};

template <class T, class Op>
EB_HD void bias_stream_body(size_t tid, size_t nthreads, const T* x, T* y, size_t n, const T* bias,
                            size_t cols, Op op) {
  const bool packs = cols % kVec<T> == 0 && reinterpret_cast<std::uintptr_t>(x) % 16 == 0 &&
                     reinterpret_cast<std::uintptr_t>(bias) % 16 == 0;
  stream_body(tid, nthreads, x, y, n, BiasPolicy<T, Op>{op, bias, cols, packs});
}

template <Activation A, class T>
EB_HD void fused_bias_body(size_t tid, size_t nthreads, const Args<T>& a) {
  bias_stream_body(tid, nthreads, a.x, a.y, a.n, a.bias, a.cols, make_op<A>(a.alpha));
}

}  // namespace elubench::cuda
