// The activation math, written once. Every CPU and CUDA variant and the float64 reference
// call these functions, so "what ELU means" (NaN, -0.0, -inf, saturation) cannot drift
// between implementations.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstddef>
#include <compare>
#include <cstring>
#include <utility>

#if defined(__CUDACC__)
#define EB_HD __host__ __device__ __forceinline__
#else
#define EB_HD inline
#endif

namespace elubench {

// An activation's parameters are data its trait declares (activations/*.hpp):
//   static constexpr ParamSpec params[] = {{"alpha", 1.0f, 0.0f, 1e6f, "value at x -> -inf"}};
// a trait without parameters declares none. Everything outside the trait (the CLI's --param,
// a row's label and its JSON `params`, the config, resume, the scripts) loops over that list.
// The valid range is closed: a value outside it is refused on the command line and when read.
struct ParamSpec {
  const char* name;     // spelled as in --param NAME=V and the JSON (lower case, digits, _)
  float default_value;  // what a run uses when the parameter is not given
  float min, max;       // the valid range, both ends included
  const char* meaning;  // one line for --help and the docs
};
inline constexpr int kMaxParams = 2;  // the most parameters one trait declares (static_assert'ed)

// The values of one activation's parameters, in the order its trait declares them: a trait
// reads p[T::kAlpha], never a name. Trivially copyable, so it reaches CUDA kernels by value.
// Unused slots are 0; default_params (registry.hpp) gives an activation's defaults.
struct ActivationParams {
  float value[kMaxParams] = {};
  EB_HD float operator[](int i) const { return value[i]; }
  friend bool operator==(const ActivationParams&, const ActivationParams&) = default;
  friend auto operator<=>(const ActivationParams&, const ActivationParams&) = default;
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
//   m.log1p(x)             log(1 + x) for x >= 0 (any value where x is +inf or NaN)
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
// bias_then_act, cub, thrust; <= 2 ULP) and the CPU's on AVX2 and AVX-512 (kernels/cpu/expm1_forms.hpp).
struct Expm1Degree6 {
  static constexpr float coefficients[] = {
      1.38696097e-3f,  // 0x1.6b7338p-10f
      8.37464166e-3f,  // 0x1.12278Ep-7f
      4.16689552e-2f,  // 0x1.555716p-5f
      1.66664720e-1f,  // 0x1.5554B0p-3f
      4.99999970e-1f,  // 0x1.FFFFFEp-2f
  };
};
// Degree 5: the CUDA `fast` variant (the CPU's forms are in kernels/cpu/expm1_forms.hpp). Fitted (iteratively
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

}  // namespace elubench
