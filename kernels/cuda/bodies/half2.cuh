// gpu/{elu,relu}/half2 body (f16 and bf16 only): the vectorized engine, but the math stays in packed
// 16-bit registers (__half2 / __nv_bfloat162): two lanes per instruction and no conversions,
// at the price of 16-bit intermediate rounding (Accuracy::approximate, <= 4 ULP).
//
// ELU for x <= 0 without cancellation:
//   x <  -1: alpha * (2^(x*log2e) - 1). exp(x) <= 0.37 there, so the absolute error of the
//            approximate exp2 (ex2.approx.f16x2: 2^-9.9 relative) is <= 2^-11.3, under half an
//            ULP of a result in [-1, -0.63]; exp(x) - 1 loses nothing.
//   x >= -1: alpha * (x + x*(x*q(x))), q the Taylor series of (e^x - 1 - x)/x^2 to degree 5
//            (terms 1/2 ... 1/5040; the first dropped term is <= 1/40320 = 0.05 ULP at x = -1).
//            x + x*(...) keeps the bits of x near 0: -1e-8 never becomes 0, subnormals survive.
// Both halves are computed and selected by lane masks (no divergence, and the mask keeps NaN:
// __hgeu2_mask is "greater-or-equal or unordered", so NaN lanes return x itself, and so do +-0:
// the polynomial gives +0 at -0, and ELU(-0) = -0).
//
// The host side of this file is a MODEL, not the device bits: __hfma2 and the approximate
// exp2 have no host versions, so on the host fma is float fmaf per lane rounded once to the
// 16-bit type (the product of two 16-bit values is exact in float, so only a rare double
// rounding of the sum can differ) and exp2 is exp2f rounded to the 16-bit type, with a
// relative error the tests can inject (half2_host_exp2_rel_error) to stand for the device
// instruction's documented worst case. The packed mul/sub/compare intrinsics used are
// __host__ __device__ and exact on both sides.
#pragma once

#include <cmath>
#include <type_traits>

#include "common.cuh"

namespace elubench::cuda {

template <class T> struct PairOf;
template <> struct PairOf<__half> { using type = __half2; };
template <> struct PairOf<__nv_bfloat16> { using type = __nv_bfloat162; };
template <class T> using pair_t = typename PairOf<T>::type;

template <class T> struct Lanes {
  T v[2];
};

template <class T2> EB_HD T2 splat2(float f);
template <> EB_HD __half2 splat2<__half2>(float f) { return __float2half2_rn(f); }
template <> EB_HD __nv_bfloat162 splat2<__nv_bfloat162>(float f) { return __float2bfloat162_rn(f); }

template <class T, class T2 = pair_t<T>> EB_HD T2 fma2(T2 a, T2 b, T2 c) {
#if defined(__CUDA_ARCH__)
  return __hfma2(a, b, c);
#else
  const auto la = bit_cast<Lanes<T>>(a), lb = bit_cast<Lanes<T>>(b), lc = bit_cast<Lanes<T>>(c);
  Lanes<T> r;
  for (int k = 0; k < 2; ++k)
    r.v[k] = from_float<T>(std::fmaf(to_float(la.v[k]), to_float(lb.v[k]), to_float(lc.v[k])));
  return bit_cast<T2>(r);
#endif
}

// Host model only (device code never reads it): a relative error the tests inject into exp2
// so that the accuracy bound is checked against the device instruction's worst case
// (ex2.approx.f16x2: 2^-9.9 in the PTX ISA), not only against a correctly rounded exp2.
// 0 in normal use.
inline float half2_host_exp2_rel_error = 0.0f;

template <class T, class T2 = pair_t<T>> EB_HD T2 exp2_2(T2 a) {
#if defined(__CUDA_ARCH__)
  if constexpr (std::is_same_v<T, __half>) {
    T2 r;  // native packed f16 exp2 (sm_75+): one instruction for two lanes
    asm("ex2.approx.f16x2 %0, %1;" : "=r"(*reinterpret_cast<unsigned*>(&r))
        : "r"(*reinterpret_cast<const unsigned*>(&a)));
    return r;
  } else {
#if __CUDA_ARCH__ >= 900
    T2 r;  // native packed bf16 exp2 exists from sm_90 (flushes subnormal results: they are
           // below 2^-126 and vanish against the -1 that follows anyway)
    asm("ex2.approx.ftz.bf16x2 %0, %1;" : "=r"(*reinterpret_cast<unsigned*>(&r))
        : "r"(*reinterpret_cast<const unsigned*>(&a)));
    return r;
#else
    return h2exp2(a);  // sm_80: through f32 ex2, the library's way
#endif
  }
#else
  const auto la = bit_cast<Lanes<T>>(a);
  Lanes<T> r;
  for (int k = 0; k < 2; ++k)
    r.v[k] = from_float<T>(std::exp2f(to_float(la.v[k])) * (1.0f + half2_host_exp2_rel_error));
  return bit_cast<T2>(r);
#endif
}

// Lane select by the 0xFFFF-per-lane masks of the __h*2_mask comparisons.
template <class T2> EB_HD T2 select2(unsigned mask, T2 a, T2 b) {
  const unsigned ua = bit_cast<unsigned>(a), ub = bit_cast<unsigned>(b);
  return bit_cast<T2>((ua & mask) | (ub & ~mask));
}

template <class T, class T2 = pair_t<T>> EB_HD T2 elu2(T2 x, T2 alpha) {
  const T2 one = splat2<T2>(1.0f);
  const T2 big = __hsub2(exp2_2<T>(__hmul2(x, splat2<T2>(1.44269504f))), one);
  T2 q = splat2<T2>(1.0f / 5040.0f);
  q = fma2<T>(q, x, splat2<T2>(1.0f / 720.0f));
  q = fma2<T>(q, x, splat2<T2>(1.0f / 120.0f));
  q = fma2<T>(q, x, splat2<T2>(1.0f / 24.0f));
  q = fma2<T>(q, x, splat2<T2>(1.0f / 6.0f));
  q = fma2<T>(q, x, splat2<T2>(0.5f));
  const T2 small = fma2<T>(x, __hmul2(x, q), x);
  const T2 neg = __hmul2(alpha, select2(__hlt2_mask(x, splat2<T2>(-1.0f)), big, small));
  return select2(__hgeu2_mask(x, splat2<T2>(0.0f)), x, neg);
}

// ReLU as a mask: keep x where x > 0 or NaN, else +0 (bit-exact, -0 becomes +0).
template <class T, class T2 = pair_t<T>> EB_HD T2 relu2(T2 x) {
  return bit_cast<T2>(bit_cast<unsigned>(x) & __hgtu2_mask(x, splat2<T2>(0.0f)));
}

template <Activation A, class T> struct Half2Policy : IndexFree {
  using T2 = pair_t<T>;
  T2 alpha;
  EB_HD explicit Half2Policy(T2 a) : alpha(a) {}
  EB_HD T2 apply(T2 x) const {
    if constexpr (A == Activation::elu) return elu2<T>(x, alpha);
    else if constexpr (A == Activation::relu) return relu2<T>(x);
    else static_assert(kNever<T2>, "half2: ELU and ReLU only (no packed form of the others)");
  }
  // Scalar head/tail: the same packed math on a duplicated lane, so every element gets the
  // same bits whichever path it takes.
  EB_HD T one(size_t, T x) const {
    const Lanes<T> in{{x, x}};
    return bit_cast<Lanes<T>>(apply(bit_cast<T2>(in))).v[0];
  }
  EB_HD Pack<T> pack(Cursor, const Pack<T>& p) const {
    Pack<T> r;
#pragma unroll
    for (int k = 0; k < kVec<T>; k += 2) {
      const Lanes<T> in{{p.v[k], p.v[k + 1]}};
      const auto out = bit_cast<Lanes<T>>(apply(bit_cast<T2>(in)));
      r.v[k] = out.v[0];
      r.v[k + 1] = out.v[1];
    }
    return r;
  }
};

// The activations with a packed 16-bit form: ELU and ReLU forward (the other traits run in
// float in every family; half2 has no rows for them).
template <Activation A> inline constexpr bool has_half2_form = A == Activation::elu || A == Activation::relu;

template <class Act> struct half2 {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    if constexpr (std::is_same_v<T, float>) {
      static_assert(kNever<T>, "half2: f16 and bf16 only");
    } else {
      stream_body(tid, nthreads, a.x, a.y, a.n, Half2Policy<Act::value, T>{splat2<pair_t<T>>(a.params[Elu::kAlpha])});
    }
  }
};

}  // namespace elubench::cuda
