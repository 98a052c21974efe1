// The activation math, written once. Every CPU and CUDA variant and the float64 reference
// call these functions, so "what ELU means" (NaN, -0.0, -inf, saturation) cannot drift
// between implementations.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <utility>

#if defined(__CUDACC__)
#define EB_HD __host__ __device__ __forceinline__
#else
#define EB_HD inline
#endif

namespace elubench {

// Every parameter an activation may read. A struct, not a lone alpha: each trait says which fields
// it uses (uses_alpha / uses_negative_slope), and only those reach the results and the row keys.
struct ActivationParams {
  float alpha = 1.0f;            // ELU's saturation value for x -> -inf
  float negative_slope = 0.01f;  // Leaky ReLU's slope for x <= 0 (PyTorch's default)
};

// Which tolerance class the float64 check applies (tolerance_for in reference.hpp).
// exact: bit-exact. accurate: the trait's bound. approximate: a cheaper polynomial, <= 4 ULP or a
// small absolute error. library: a peer held to its own documented bound.
enum class Accuracy { exact, accurate, approximate, library };

// What a backward row reads beside dy: the forward's input x, or its output y (ELU, ReLU and SELU
// differentiate from the saved output, as PyTorch does: one exponential fewer).
enum class Saved { input, output };

// The sign of the zero a forward activation returns at x = +-0 (docs/activations.md, "Sign of
// zero"). of_input: f(+-0) = +-0, the sign the formula has there (x * c(x), alpha * expm1(x)),
// checked bit for bit. either: both signs come from standard ways to compute the function (ReLU:
// max(x, +0) gives +0 at -0, `x < 0 ? 0 : x` gives -0), so the check accepts both. Only x = +-0
// is covered: a zero from a flat region (ReLU for x < 0, ELU with alpha = 0) or from underflow
// may have either sign, and so may a backward's zero (a zero gradient's sign means nothing).
enum class ZeroSign { of_input, either };

// The bound of an accurate-class row, per activation and pass (see the traits): max ULP for f32
// and for the 16-bit types, and an absolute error that passes regardless of ULPs (0: none) where
// the formula cancels (a derivative through zero, 1 + erf for x << 0). A backward's absolute
// bound is per unit of dy: the check allows abs * max(1, |dy|).
struct Bound {
  double ulp_f32 = 2;
  double ulp_16 = 1;
  double abs = 0;
};

// The traits (activations/*.hpp) write their math once, over a math backend M with value type
// typename M::V (a float, or a Highway vector of floats):
//   m.c(k)                 the constant k
//   m.zero()               0, for if_le0's first choice (SIMD: a masked AND instead of a blend)
//   m.add/sub/mul/div(a, b), m.fma(a, b, c) = a*b + c
//   m.min(a, b), m.max(a, b) b < a ? b : a and a < b ? b : a: a NaN in a stays (as std::min does)
//   m.if_le0(x, a, b)      x <= 0 ? a : b, per lane; NaN x gives b
//   m.if_lt0(x, a, b)      x < 0 ? a : b, per lane; NaN x gives b
//   m.scaled_expm1(x, s)   s * (e^x - 1) for x < 0 (any value where x >= 0), s a V
//   m.exp(x)               e^x, +inf or a huge finite value past 88.7
//   m.erf_sqrt1_2(x)       erf(x / sqrt(2))
// Each backend picks how: libm (the naive variants), the branch-free polynomials below (CUDA), or
// Highway vectors (CPU SIMD, simd-inl.h). A trait never branches on the backend.

// Below this, expm1 rounds to exactly -1 in float, so ELU saturates at -alpha.
constexpr float kEluSaturation = -17.328680f;  // -0x1.154246p+4f, XNNPACK's cutoff

// The XNNPACK-style expm1 for x <= 0: one-constant range reduction x = n*ln2 + t,
// s = 2^n built from the exponent bits, a polynomial p for (e^t - 1 - t)/t, and expm1
// rebuilt as (s - 1) + s*t*(1 + p) so that nothing cancels near 0 (for |x| < ln2/2,
// n = 0, s = 1 and the result is t + t*p, accurate to the last bit of t). The clamp at the
// saturation point keeps 2^n a normal float.
// The range reduction's constants, shared by both polynomials.
struct Expm1Reduction {
  static constexpr float log2e = 1.44269502f;        // 0x1.715476p+0f
  static constexpr float magic_bias = 12583039.0f;   // 0x1.8000FEp23f: 1.5*2^23 + 127
  static constexpr float minus_ln2 = -0.693147182f;  // -0x1.62E430p-1f
};
// p(t) = (e^t - 1 - t) / t^2 on [-ln2/2, ln2/2], coefficients from the highest degree down.
// Degree 6 (XNNPACK's rr1-p6): the accurate CUDA kernels (vectorized, fused_bias,
// bias_then_act, cub, thrust; <= 2 ULP). The CPU variants use the table form below.
struct Expm1Degree6 {
  static constexpr float coefficients[] = {
      1.38696097e-3f,  // 0x1.6b7338p-10f
      8.37464166e-3f,  // 0x1.12278Ep-7f
      4.16689552e-2f,  // 0x1.555716p-5f
      1.66664720e-1f,  // 0x1.5554B0p-3f
      4.99999970e-1f,  // 0x1.FFFFFEp-2f
  };
};
// Degree 5: the CUDA `fast` variant (the CPU variants use the table form below). Fitted (iteratively
// reweighted least squares towards minimax) for the absolute error of e^t - 1 on
// [-ln2/2, ln2/2]: 9.5e-8 in exact arithmetic, inside the approximate class's 2^-22.
struct Expm1Degree5 {
  static constexpr float coefficients[] = {
      8.37464072e-3f,  // 0x1.126b94p-7f
      4.18982804e-2f,  // 0x1.573b1p-5f
      1.66664571e-1f,  // 0x1.55543cp-3f
      4.99991477e-1f,  // 0x1.fffdc4p-2f
  };
};

// The table form of the same expm1 (XNNPACK's rr1-lut16-p3), which the CPU SIMD variants use:
// x = N*ln2/16 + t with N = round(16x/ln2), so |t| <= ln2/32 and a degree-3 polynomial is
// enough; 2^(N/16) = 2^(N div 16) * 2^((N mod 16)/16), the second factor from a 16-entry table
// (one permute in a SIMD register on AVX-512, two on AVX2).
struct Expm1Lut16 {
  // 1.5*2^19: adding it rounds z*log2e to a multiple of 1/16 and leaves N in the low mantissa
  // bits, so bits(n) << 19 is (N div 16) << 23 plus (N mod 16) << 19.
  static constexpr float magic_bias = 0x1.800000p19f;
  static constexpr float log2e = 0x1.715476p+0f;
  static constexpr float minus_ln2 = -0x1.62E430p-1f;
  // bits(float(2^(k/16))) - (k << 19): adding bits(n) << 19 puts back k << 19 and the exponent.
  alignas(64) static constexpr std::uint32_t table[16] = {
      0x3F800000u, 0x3F7DAAC3u, 0x3F7B95C2u, 0x3F79C3D3u, 0x3F7837F0u, 0x3F76F532u, 0x3F75FED7u, 0x3F75583Fu,
      0x3F7504F3u, 0x3F7508A4u, 0x3F75672Au, 0x3F76248Cu, 0x3F7744FDu, 0x3F78CCDFu, 0x3F7AC0C7u, 0x3F7D257Du,
  };
  // The float table entries are off by up to half an ULP of s, 2^-25, and for N in [-16, -1]
  // (x in [-0.7, -0.02]) that error lands on a result as small as 0.02: up to 5 ULP there
  // (XNNPACK's 3-5 ULP). correction[k] = (2^(k/16) - table value) / table value, as float bits,
  // added to t: s*e^(t + c) = 2^(N/16)*e^t to about 2^-50. Entry 0 is -0.0f, so t + c is t itself
  // for every t, -0.0 included (x = -1e-8 still gives -1e-8).
  alignas(64) static constexpr std::uint32_t correction[16] = {
      0x80000000u, 0x3346CB6Au, 0xB24E0611u, 0x334B2482u, 0x33092801u, 0x331B85F2u, 0xB3051AA8u, 0xB2006C56u,
      0x329302AEu, 0xB302E5A2u, 0x31B3D0E5u, 0x31D1DAF2u, 0xB27CE182u, 0xB1B4B0DAu, 0xB1D290BEu, 0x31B0A147u,
  };
  // p(t) = (e^t - 1 - t) / t^2 ~ c2 + c3*t on [-ln2/32, ln2/32] (XNNPACK's minimax; a relative-error
  // fit over [-ln2/32, 0] lands on the same values): relative error 1.07e-7 in exact arithmetic.
  static constexpr float c3 = 0x1.55561Cp-3f;
  static constexpr float c2 = 0x1.0001ECp-1f;
};

EB_HD float bits_to_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}
EB_HD std::uint32_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

// Horner's rule over Poly::coefficients with every index a constant expression: device code
// may read a host constexpr array's elements as constants but may not take its address.
// (A constexpr float variable is a constant there; an array element read in a function is not.)
template <class Poly, std::size_t I> inline constexpr float kCoefficient = Poly::coefficients[I];
template <class Poly, std::size_t... I>
EB_HD float horner(float t, std::index_sequence<I...>) {
  float p = kCoefficient<Poly, 0>;
  ((p = fmaf(p, t, kCoefficient<Poly, I + 1>)), ...);
  return p;
}

// The CPU SIMD ELU (simd-inl.h, EluLut16) as scalar code, operation for operation, so that a
// test can pin the SIMD result bit for bit on targets with FMA. corrected = true is the
// `vectorized` form (<= 2 ULP), false the `fast` form (XNNPACK's own: up to 5 ULP where the result
// is below 0.07 in magnitude, an absolute error far inside the approximate class's 2^-22). Host only: the table is
// indexed at run time. x >= 0 (+-0 keep their sign) and NaN give x, as the SIMD select does.
inline float elu_lut16_p3(float x, float alpha, bool corrected) {
  using C = Expm1Lut16;
  if (!(x < 0.0f)) return x;
  const float z = x < kEluSaturation ? kEluSaturation : x;
  float n = fmaf(z, C::log2e, C::magic_bias);
  const std::uint32_t nb = float_to_bits(n), k = nb & 15u;
  const float s = bits_to_float(C::table[k] + (nb << 19));  // 2^(N/16)
  n -= C::magic_bias;
  float t = fmaf(n, C::minus_ln2, z);
  if (corrected) t += bits_to_float(C::correction[k]);
  float p = fmaf(C::c3, t, C::c2);
  p *= t;
  t *= s;
  const float alpha_s_minus_1 = fmaf(s, alpha, -alpha);
  p = fmaf(p, t, t);  // s*t*(1 + p)
  return fmaf(p, alpha, alpha_s_minus_1);
}

}  // namespace elubench
