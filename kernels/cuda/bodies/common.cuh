// What every CUDA body shares: storage types, float conversions, the activation tags and ops
// (a trait's forward/backward on a math backend), the 16-byte Pack, and the streaming engine
// (one or two inputs) that the vectorized-style variants run.
//
// Every body is a __host__ __device__ function indexed by (thread index, thread count): the
// kernels are one-line __global__ wrappers, and the tests run the same body over a simulated
// grid on the CPU (tests/test_cuda_bodies.cu). Nothing here may depend on blockIdx/threadIdx.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "elubench/activations.hpp"
#include "elubench/math_backends.hpp"
#include "elubench/registry.hpp"

namespace elubench::cuda {

using std::size_t;

// Storage type of a dtype inside kernels.
template <Dtype D> struct StorageOf;
template <> struct StorageOf<Dtype::f32> { using type = float; };
template <> struct StorageOf<Dtype::f16> { using type = __half; };
template <> struct StorageOf<Dtype::bf16> { using type = __nv_bfloat16; };
template <Dtype D> using storage_t = typename StorageOf<D>::type;

EB_HD float to_float(float x) { return x; }
EB_HD float to_float(__half x) { return __half2float(x); }
EB_HD float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }

template <class T> EB_HD T from_float(float v);
template <> EB_HD float from_float<float>(float v) { return v; }
template <> EB_HD __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> EB_HD __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Reinterprets bits; memcpy compiles to register moves on the device and is defined behaviour
// on the host (the 16-bit types are not guaranteed bit_cast-able across CUDA versions).
template <class To, class From> EB_HD To bit_cast(const From& f) {
  static_assert(sizeof(To) == sizeof(From));
  To t;
  memcpy(&t, &f, sizeof t);
  return t;
}

// The activation of each body as a type: one tag per Activation (generated from the list), so
// that a kernel's symbol names what it computes (kernel<vectorized<act::gelu_tanh_backward>,
// __half>): scripts/sass_table.py reads the activation from there, never from a second list.
namespace act {
#define EB_ACT_TAG(id, Trait)                                                   \
  struct id { static constexpr Activation value = Activation::id; };            \
  struct id##_backward { static constexpr Activation value = Activation::id##_backward; };
ELUBENCH_ACTIVATIONS(EB_ACT_TAG)
#undef EB_ACT_TAG
struct copy { static constexpr Activation value = Activation::copy; };
}  // namespace act
template <Activation A> struct TagOf;
#define EB_TAG_OF(id, Trait)                                                        \
  template <> struct TagOf<Activation::id> { using type = act::id; };               \
  template <> struct TagOf<Activation::id##_backward> { using type = act::id##_backward; };
ELUBENCH_ACTIVATIONS(EB_TAG_OF)
#undef EB_TAG_OF
template <> struct TagOf<Activation::copy> { using type = act::copy; };
template <Activation A> using tag_t = typename TagOf<A>::type;

// A forward or backward activation (not copy): what the body families accept.
template <Activation A> inline constexpr bool is_forward_act = A != Activation::copy && pass_of<A> == Pass::forward;
template <Activation A> inline constexpr bool is_backward_act = A != Activation::copy && pass_of<A> == Pass::backward;

// The trait's math on a backend M (math_backends.hpp), in float: f16/bf16 are widened, computed,
// rounded once. Forward: f(x). Backward: dx = f'(.) * dy from the saved tensor and dy.
template <class Trait, class M> struct ForwardOp {
  ActivationParams p;
  EB_HD float f(float x) const { return Trait::forward(M{}, x, p); }
};
template <class Trait, class M> struct BackwardOp {
  ActivationParams p;
  EB_HD float f(float saved, float dy) const { return Trait::backward(M{}, dy, saved, p); }
};
struct IdentityOp {  // bias_then_act's first pass: y = x + b
  EB_HD float f(float x) const { return x; }
};

// An Op on storage types, for the library peers (cub, thrust) that read and write T:
// widen, the shared float math, round once.
template <class T, class Op> struct StorageFunctor {
  Op op;
  EB_HD T operator()(T x) const { return from_float<T>(op.f(to_float(x))); }
};

// 16 bytes: 4 floats or 8 halves. alignas(16) is what makes nvcc emit one ld/st.global.v4
// per Pack (PyTorch's aligned_vector trick); the SASS test (cuda_sass) checks that it does.
template <class T> inline constexpr int kVec = 16 / static_cast<int>(sizeof(T));
template <class T> struct alignas(16) Pack {
  T v[kVec<T>];
};

// Adapters the engine calls: one(i, x) for a scalar element at index i, pack(cursor, p) for a
// Pack. A policy that needs the position of a Pack (the bias column) defines a Cursor: at(i)
// makes one for element index i (it may divide: the engine calls it before its loops),
// stride(k) the step of k elements and advance(c, s) moves c by it without dividing. Policies
// that do not care inherit IndexFree, whose empty cursor compiles away.
struct IndexFree {
  struct Cursor {};
  EB_HD Cursor at(size_t) const { return {}; }
  EB_HD Cursor stride(size_t) const { return {}; }
  EB_HD void advance(Cursor&, Cursor) const {}
};

template <class T, class Op> struct FloatMath : IndexFree {
  Op op;
  EB_HD explicit FloatMath(Op o) : op(o) {}
  EB_HD T one(size_t, T x) const { return from_float<T>(op.f(to_float(x))); }
  EB_HD Pack<T> pack(Cursor, const Pack<T>& p) const {
    Pack<T> r;
#pragma unroll
    for (int k = 0; k < kVec<T>; ++k) r.v[k] = from_float<T>(op.f(to_float(p.v[k])));
    return r;
  }
};

// Two inputs, one output: a backward's dx = f'(.) * dy from the saved tensor and dy.
template <class T, class Op> struct FloatMath2 : IndexFree {
  Op op;
  EB_HD explicit FloatMath2(Op o) : op(o) {}
  EB_HD T one(size_t, T s, T g) const { return from_float<T>(op.f(to_float(s), to_float(g))); }
  EB_HD Pack<T> pack(Cursor, const Pack<T>& s, const Pack<T>& g) const {
    Pack<T> r;
#pragma unroll
    for (int k = 0; k < kVec<T>; ++k) r.v[k] = from_float<T>(op.f(to_float(s.v[k]), to_float(g.v[k])));
    return r;
  }
};

// The copy ceiling moves bits, no conversion (a float round trip could quiet a NaN payload).
template <class T> struct CopyBits : IndexFree {
  EB_HD T one(size_t, T x) const { return x; }
  EB_HD Pack<T> pack(Cursor, const Pack<T>& p) const { return p; }
};

// Loads in flight per thread in the unrolled main loop: 4 x 16 B = 64 B per thread, which with
// 2048 resident threads per SM is 128 KiB per SM in flight, enough to cover HBM latency on
// H100/H200 (PyTorch's launcher keeps 8 elements x 2-4 B; we keep more for f32).
inline constexpr int kUnroll = 4;

// A misaligned 16-byte access faults on the GPU but not on the host, so the host simulation
// checks every Pack address itself (compiled out of device code).
EB_HD void check_pack_aligned(const void* p) {
#if !defined(__CUDA_ARCH__)
  if (reinterpret_cast<std::uintptr_t>(p) % 16 != 0) throw std::logic_error("misaligned 16-byte access");
#else
  (void)p;
#endif
}

// The K input tensors of the streaming engine (1: forward; 2: a backward's saved tensor and dy).
template <class T, int K> struct Inputs {
  const T* p[K];
};

// The policy's one(i, x...) and pack(cursor, x...) with one argument per input.
template <class P, class T, int K, size_t... I>
EB_HD T apply_one(const P& p, size_t i, const Inputs<T, K>& in, std::index_sequence<I...>) {
  return p.one(i, in.p[I][i]...);
}
template <class P, class T, int K, size_t... I>
EB_HD Pack<T> apply_pack(const P& p, typename P::Cursor c, const Pack<T> (&r)[K][kUnroll], int u,
                         std::index_sequence<I...>) {
  return p.pack(c, r[I][u]...);
}

// The streaming engine's main loop over full / step iterations (step = nthreads * kUnroll Packs):
// each thread loads kUnroll Packs of every input (coalesced: consecutive threads take consecutive
// Packs), then computes, then stores, so the loads are in flight together. A down-counter and
// advancing pointers keep the loop state small (an index loop makes ptxas spill the index on sm_80).
template <class T, class P, int K>
EB_HD void stream_full_passes(size_t tid, size_t nthreads, const Pack<T>* const (&xv)[K], Pack<T>* yv, size_t full,
                              typename P::Cursor (&cur)[kUnroll], typename P::Cursor advance, const P& p) {
  constexpr auto I = std::make_index_sequence<K>{};
  const size_t step = nthreads * kUnroll;
  const Pack<T>* px[K];
#pragma unroll
  for (int c = 0; c < K; ++c) px[c] = xv[c] + tid;
  Pack<T>* py = yv + tid;
  for (size_t k = full / step; k != 0; --k) {
    Pack<T> r[K][kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
#pragma unroll
      for (int c = 0; c < K; ++c) r[c][u] = px[c][u * nthreads];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      r[0][u] = apply_pack(p, cur[u], r, u, I);
      p.advance(cur[u], advance);
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) py[u * nthreads] = r[0][u];
#pragma unroll
    for (int c = 0; c < K; ++c) px[c] += step;
    py += step;
  }
}

// The streaming engine: y[i] = P(x0[i], ...) for i < n with 16-byte accesses.
//  - inputs and y may be misaligned; if all share their misalignment a scalar head brings them
//    to 16 bytes, otherwise (no common alignment exists) every element goes the scalar way;
//  - then the main loop (stream_full_passes);
//  - the rest (fewer than kUnroll Packs per thread) is one more pass of the same wide code with
//    each Pack bounds-checked, all loads still issued before any store: when the grid's tile is
//    larger than n (e.g. 10^6 or 2^20 + 3 elements on a large GPU) this pass covers all of the
//    data, where one Pack at a time, each load waiting for the previous store, would be slow;
//  - then the scalar tail (n not a multiple of the width).
// No __restrict__: bias_then_act runs it in place (x == y); each element is read and written by
// the same thread, loads before stores, so aliasing is harmless.
template <class T, class P, int K>
EB_HD void stream_body(size_t tid, size_t nthreads, const Inputs<T, K>& in, T* y, size_t n, const P& p) {
  constexpr size_t V = kVec<T>;
  constexpr auto I = std::make_index_sequence<K>{};
  const auto ya = reinterpret_cast<std::uintptr_t>(y);
  bool common = true;
#pragma unroll
  for (int c = 0; c < K; ++c) common = common && (reinterpret_cast<std::uintptr_t>(in.p[c]) - ya) % 16 == 0;
  if (!common) {
    for (size_t i = tid; i < n; i += nthreads) y[i] = apply_one(p, i, in, I);
    return;
  }
  size_t head = ((16 - reinterpret_cast<std::uintptr_t>(in.p[0]) % 16) % 16) / sizeof(T);
  if (head > n) head = n;
  for (size_t i = tid; i < head; i += nthreads) y[i] = apply_one(p, i, in, I);

  const size_t nvec = (n - head) / V;
  const Pack<T>* xv[K];
#pragma unroll
  for (int c = 0; c < K; ++c) {
    xv[c] = reinterpret_cast<const Pack<T>*>(in.p[c] + head);
    check_pack_aligned(nvec ? xv[c] : nullptr);
  }
  Pack<T>* yv = reinterpret_cast<Pack<T>*>(y + head);
  check_pack_aligned(nvec ? yv : nullptr);
  const size_t step = nthreads * kUnroll;
  const size_t full = nvec / step * step;  // every thread runs full / step iterations (tid < step)
  typename P::Cursor cur[kUnroll];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) cur[u] = p.at(head + (tid + u * nthreads) * V);
  stream_full_passes(tid, nthreads, xv, yv, full, cur, p.stride(step * V), p);
  // full + tid + u * nthreads < full + step: every remaining Pack is one of this pass's.
  // Packs past the end compute on zeros and are not stored: a conditionally assigned array
  // would be kept in local memory (the SASS test checks there is none).
  if (full + tid < nvec) {
    Pack<T> r[K][kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t j = full + tid + u * nthreads;
#pragma unroll
      for (int c = 0; c < K; ++c) r[c][u] = j < nvec ? xv[c][j] : Pack<T>{};
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) r[0][u] = apply_pack(p, cur[u], r, u, I);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t j = full + tid + u * nthreads;
      if (j < nvec) yv[j] = r[0][u];
    }
  }
  for (size_t i = head + nvec * V + tid; i < n; i += nthreads) y[i] = apply_one(p, i, in, I);
}
// One input: y = P(x).
template <class T, class P>
EB_HD void stream_body(size_t tid, size_t nthreads, const T* x, T* y, size_t n, const P& p) {
  stream_body(tid, nthreads, Inputs<T, 1>{{x}}, y, n, p);
}

template <class> inline constexpr bool kNever = false;  // a static_assert in an exhaustive if-constexpr chain

// y = f(x) (forward) or dx = f'(.) * dy (backward: x is the saved tensor, grad is dy) for the
// activation Act on backend M, through the streaming engine: the body of vectorized, fast and
// act_in_place (which passes y as x).
template <class Act, class M, class T>
EB_HD void stream_activation(size_t tid, size_t nthreads, const T* x, const T* grad, T* y, size_t n,
                             const ActivationParams& params) {
  constexpr Activation A = Act::value;
  if constexpr (is_forward_act<A>) {
    using Op = ForwardOp<trait_t<A>, M>;
    stream_body(tid, nthreads, x, y, n, FloatMath<T, Op>{Op{params}});
  } else if constexpr (is_backward_act<A>) {
    using Op = BackwardOp<trait_t<A>, M>;
    stream_body(tid, nthreads, Inputs<T, 2>{{x, grad}}, y, n, FloatMath2<T, Op>{Op{params}});
  } else {
    static_assert(kNever<Act>, "stream_activation: copy has no math");
  }
}

// Typed arguments the bodies take (RunArgs with the dtype applied).
template <class T> struct Args {
  const T* x;  // forward: the input; backward: the saved tensor (the trait's `saved`)
  T* y;        // forward: the output; backward: dx
  size_t n;
  ActivationParams params;
  const T* bias;
  size_t cols;
  const T* grad;  // backward: dy
};
template <class T> Args<T> typed(const RunArgs& a) {
  return {static_cast<const T*>(a.x), static_cast<T*>(a.y), a.n, a.params,
          static_cast<const T*>(a.bias), a.cols, static_cast<const T*>(a.grad)};
}

}  // namespace elubench::cuda
