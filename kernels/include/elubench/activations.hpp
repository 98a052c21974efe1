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

// ELU (Clevert et al., arXiv:1511.07289): x for x > 0, alpha * (exp(x) - 1) otherwise.
// expm1 rather than exp(x) - 1: near 0 the subtraction cancels every significant bit, so
// exp(-1e-8f) - 1 returns 0 where the true value is -1e-8 (the bug JAX, TensorFlow and
// PyTorch each shipped once). NaN falls through to expm1 and stays NaN; -inf gives -alpha.
EB_HD float elu(float x, float alpha) {
  return x > 0.0f ? x : alpha * expm1f(x);
}
EB_HD double elu(double x, double alpha) {
  return x > 0.0 ? x : alpha * expm1(x);
}

// ReLU that keeps NaN (max(x, 0) instructions drop it on x86) and maps -0.0 to +0.0.
EB_HD float relu(float x) {
  return (x > 0.0f || x != x) ? x : 0.0f;
}
EB_HD double relu(double x) {
  return (x > 0.0 || x != x) ? x : 0.0;
}

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
// Degree 6 (XNNPACK's): the accurate CPU `vectorized`, `fused_bias` and `bias_then_act` (<= 2 ULP).
struct Expm1Degree6 {
  static constexpr float coefficients[] = {
      1.38696097e-3f,  // 0x1.6b7338p-10f
      8.37464166e-3f,  // 0x1.12278Ep-7f
      4.16689552e-2f,  // 0x1.555716p-5f
      1.66664720e-1f,  // 0x1.5554B0p-3f
      4.99999970e-1f,  // 0x1.FFFFFEp-2f
  };
};
// Degree 5 (one FMA fewer): the `fast` variants (CPU and CUDA). Fitted (iteratively
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

// ELU with the polynomial expm1 above, branch-free: e is computed for every x and the result
// selected at the end, so on a GPU a warp with mixed signs runs one path, not both sides of a
// branch (issue 8: the branch cost 3 instructions per element plus the divergence), and the
// compiler sees straight-line code it can schedule across the elements of a 16-byte Pack.
// Operation for operation the CPU SIMD EluPoly (kernels/cpu/simd-inl.h): NaN goes through the
// final select (x <= 0 is false for NaN, so x itself comes back), -inf clamps to -alpha.
// Degree 6: <= 2 ULP f32 with alpha = 1, <= 3 otherwise, <= 1 ULP after rounding to f16/bf16
// (the accurate class; the CUDA accurate kernels and the CPU `vectorized` run it).
// Degree 5: the approximate class (the `fast` variants).
template <class Poly>
EB_HD float elu_poly(float x, float alpha) {
  using C = Expm1Reduction;
  const float z = fmaxf(x, kEluSaturation);  // NaN becomes the clamp here; the select undoes it
  float n = fmaf(z, C::log2e, C::magic_bias);
  const float s = bits_to_float(float_to_bits(n) << 23);  // 2^round(z/ln2)
  n -= C::magic_bias;
  float t = fmaf(n, C::minus_ln2, z);
  constexpr std::size_t kTerms = sizeof(Poly::coefficients) / sizeof(Poly::coefficients[0]);
  float p = horner<Poly>(t, std::make_index_sequence<kTerms - 1>{});
  p *= t;
  t *= s;
  const float alpha_s_minus_1 = fmaf(s, alpha, -alpha);  // alpha*(s - 1)
  p = fmaf(p, t, t);                                     // s*t*(1 + p)
  const float e = fmaf(p, alpha, alpha_s_minus_1);
  return x <= 0.0f ? e : x;
}

// The accurate polynomial ELU (degree 6) and the fast one (degree 5). elu_fast is the scalar
// model of the CPU SIMD `fast` variant (which runs exactly these operations, so the two agree
// bit for bit where the SIMD target has FMA) and the body of the CUDA `fast` variant.
EB_HD float elu_accurate(float x, float alpha) { return elu_poly<Expm1Degree6>(x, alpha); }
EB_HD float elu_fast(float x, float alpha) { return elu_poly<Expm1Degree5>(x, alpha); }

}  // namespace elubench
