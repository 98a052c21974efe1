// What every CUDA body shares: storage types, float conversions, the per-element ops, the
// 16-byte Pack, and the streaming engine that the vectorized-style variants run.
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

#include "elubench/activations.hpp"
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

// Element-wise ops computed in float (f16/bf16 are widened, computed, rounded once).
// EluOp is the accurate ELU of the streaming kernels and the library peers: the branch-free
// degree-6 polynomial (elu_accurate), about half the instructions of expm1f with its branch.
// EluLibmOp is the textbook expm1f form that the naive kernel keeps on purpose.
struct EluOp {
  float alpha;
  EB_HD float f(float x) const { return elu_accurate(x, alpha); }
};
struct EluLibmOp {
  float alpha;
  EB_HD float f(float x) const { return elu(x, alpha); }
};
struct ReluOp {
  EB_HD float f(float x) const { return relu(x); }
};
struct EluFastOp {
  float alpha;
  EB_HD float f(float x) const { return elu_fast(x, alpha); }
};
struct IdentityOp {  // bias_then_act's first pass: y = x + b
  EB_HD float f(float x) const { return x; }
};

template <Activation A> struct ActOp;
template <> struct ActOp<Activation::elu> { using type = EluOp; };
template <> struct ActOp<Activation::relu> { using type = ReluOp; };
template <Activation A> EB_HD typename ActOp<A>::type make_op(float alpha) {
  if constexpr (A == Activation::elu) return EluOp{alpha};
  else return ReluOp{};
}

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

// The streaming engine: y[i] = P(x[i]) for i < n with 16-byte accesses.
//  - x and y may be misaligned; if they share their misalignment a scalar head brings both to
//    16 bytes, otherwise (no common alignment exists) every element goes the scalar way.
//  - main loop: each thread loads kUnroll Packs (coalesced: consecutive threads take consecutive
//    Packs), then computes, then stores, so the loads are in flight together.
//  - the rest (fewer than kUnroll Packs per thread) is one more pass of the same wide code with
//    each Pack bounds-checked, all loads still issued before any store (issue 8: a loop of one
//    Pack at a time here ran 100% of the data when n was not a multiple of the grid's tile,
//    e.g. 10^6 or 2^20 + 3, each load waiting for the previous store); then the scalar tail
//    (n not a multiple of the width).
// No __restrict__: bias_then_act runs it in place (x == y); each element is read and written by
// the same thread, loads before stores, so aliasing is harmless.
template <class T, class P>
EB_HD void stream_body(size_t tid, size_t nthreads, const T* x, T* y, size_t n, const P& p) {
  constexpr size_t V = kVec<T>;
  const auto xa = reinterpret_cast<std::uintptr_t>(x);
  const auto ya = reinterpret_cast<std::uintptr_t>(y);
  if ((xa - ya) % 16 != 0) {
    for (size_t i = tid; i < n; i += nthreads) y[i] = p.one(i, x[i]);
    return;
  }
  size_t head = ((16 - xa % 16) % 16) / sizeof(T);
  if (head > n) head = n;
  for (size_t i = tid; i < head; i += nthreads) y[i] = p.one(i, x[i]);

  const size_t nvec = (n - head) / V;
  const Pack<T>* xv = reinterpret_cast<const Pack<T>*>(x + head);
  Pack<T>* yv = reinterpret_cast<Pack<T>*>(y + head);
  check_pack_aligned(nvec ? xv : nullptr);
  check_pack_aligned(nvec ? yv : nullptr);
  const size_t step = nthreads * kUnroll;
  const size_t full = nvec / step * step;
  typename P::Cursor cur[kUnroll];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) cur[u] = p.at(head + (tid + u * nthreads) * V);
  const auto advance = p.stride(step * V);
  // Every thread runs full / step iterations (tid < step); a down-counter and two advancing
  // pointers keep the loop state small (an index loop made ptxas spill the index on sm_80).
  const Pack<T>* px = xv + tid;
  Pack<T>* py = yv + tid;
  for (size_t k = full / step; k != 0; --k, px += step, py += step) {
    Pack<T> r[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) r[u] = px[u * nthreads];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      r[u] = p.pack(cur[u], r[u]);
      p.advance(cur[u], advance);
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) py[u * nthreads] = r[u];
  }
  // full + tid + u * nthreads < full + step: every remaining Pack is one of this pass's.
  // Packs past the end compute on zeros and are not stored: a conditionally assigned array
  // would be kept in local memory (the SASS test checks there is none).
  if (full + tid < nvec) {
    Pack<T> r[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t j = full + tid + u * nthreads;
      r[u] = j < nvec ? xv[j] : Pack<T>{};
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) r[u] = p.pack(cur[u], r[u]);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const size_t j = full + tid + u * nthreads;
      if (j < nvec) yv[j] = r[u];
    }
  }
  for (size_t i = head + nvec * V + tid; i < n; i += nthreads) y[i] = p.one(i, x[i]);
}

// Typed arguments the bodies take (RunArgs with the dtype applied).
template <class T> struct Args {
  const T* x;
  T* y;
  size_t n;
  float alpha;
  const T* bias;
  size_t cols;
};
template <class T> Args<T> typed(const RunArgs& a) {
  return {static_cast<const T*>(a.x), static_cast<T*>(a.y), a.n, a.alpha,
          static_cast<const T*>(a.bias), a.cols};
}

}  // namespace elubench::cuda
