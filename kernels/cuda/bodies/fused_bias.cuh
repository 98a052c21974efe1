// gpu/*/fused_bias body (forward activations, accurate math): y = act(x + b[col]) for x of rows x cols, in one pass: the bias-add
// and the activation share one read and one write of x (bias_then_act pays two of each).
// x and y go through the streaming engine (16-byte accesses); the bias row is small and stays
// in cache, so it is read as a 16-byte Pack where that is possible (cols a multiple of the
// width and x, bias 16-byte aligned, so that every Pack of x starts at a Pack of the bias) and
// element by element otherwise. Any cols works.
#pragma once

#include "common.cuh"

namespace elubench::cuda {

// The column of a Pack's first element is a cursor that the engine advances by a fixed stride
// (one compare and subtract): no 64-bit division per Pack in the loop (`first % cols` there
// would be a call to the 64-bit remainder routine per Pack).
// kBiasPacks: every Pack of x lines up with an aligned Pack of the bias. A template parameter,
// not a run-time flag, so each main loop holds one way of reading the bias.
template <class T, class Op, bool kBiasPacks> struct BiasPolicy {
  Op op;
  const T* bias;
  size_t cols;

  struct Cursor {
    size_t c;  // column, < cols
  };
  EB_HD Cursor at(size_t i) const { return {i % cols}; }
  EB_HD Cursor stride(size_t k) const { return {k % cols}; }
  EB_HD void advance(Cursor& cur, Cursor s) const {
    cur.c += s.c;
    if (cur.c >= cols) cur.c -= cols;
  }

  EB_HD T biased(T x, T b) const { return from_float<T>(op.f(to_float(x) + to_float(b))); }
  EB_HD T one(size_t i, T x) const { return biased(x, bias[i % cols]); }
  EB_HD Pack<T> pack(Cursor cur, const Pack<T>& p) const {
    size_t c = cur.c;
    Pack<T> b;
    if constexpr (kBiasPacks) {
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
  if (packs) stream_body(tid, nthreads, x, y, n, BiasPolicy<T, Op, true>{op, bias, cols});
  else stream_body(tid, nthreads, x, y, n, BiasPolicy<T, Op, false>{op, bias, cols});
}

// Forward activations only (a backward has no bias).
template <class Act> struct fused_bias {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    static_assert(is_forward_act<Act::value>, "fused_bias: forward activations only");
    using Op = ForwardOp<trait_t<Act::value>, AccurateMath>;
    bias_stream_body(tid, nthreads, a.x, a.y, a.n, a.bias, a.cols, Op{a.params});
  }
};

}  // namespace elubench::cuda
