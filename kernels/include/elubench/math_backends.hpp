// The scalar math backends the traits run on (activations.hpp lists what a backend provides):
// LibmMath, the textbook libm calls of the naive variants, and PolyMath, the branch-free
// polynomial expm1 of the CUDA streaming kernels. Both are __host__ __device__, so the CUDA
// bodies run on the host in the tests with the very same operations. The CPU SIMD backend is
// SimdMath in kernels/cpu/simd-inl.h.
#pragma once

#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct LibmMath {
  using V = float;
  EB_HD V c(float k) const { return k; }
  EB_HD V zero() const { return 0.0f; }
  EB_HD V add(V a, V b) const { return a + b; }
  EB_HD V sub(V a, V b) const { return a - b; }
  EB_HD V mul(V a, V b) const { return a * b; }
  EB_HD V div(V a, V b) const { return a / b; }
  EB_HD V min(V a, V b) const { return b < a ? b : a; }
  EB_HD V max(V a, V b) const { return a < b ? b : a; }
  EB_HD V fma(V a, V b, V c) const { return fmaf(a, b, c); }
  EB_HD V if_le0(V x, V a, V b) const { return x <= 0.0f ? a : b; }
  EB_HD V if_lt0(V x, V a, V b) const { return x < 0.0f ? a : b; }
  // The branch skips the libm call where the trait's select discards it, as the textbook loop
  // `x > 0 ? x : alpha * expm1(x)` does. Its condition is if_lt0's own (x < 0, false for NaN),
  // the select of its callers (ELU, SELU), so the compiler merges the two into one compare per
  // element (a different condition would cost a second compare per element).
  EB_HD V scaled_expm1(V x, V s) const { return x < 0.0f ? s * expm1f(x) : 0.0f; }
  EB_HD V exp(V x) const { return expf(x); }
  EB_HD V erf_sqrt1_2(V x) const { return erff(x * 0.707106781f); }
  EB_HD V log1p(V x) const { return log1pf(x); }
};

// The XNNPACK-style expm1 for x <= 0 (Expm1Reduction: x = n ln2 + t, 2^n from the exponent bits,
// Poly for (e^t - 1 - t)/t^2, the rebuild (2^n - 1) + 2^n t (1 + p) in which nothing cancels near
// 0), branch-free so a warp with mixed signs runs one path, scaled by s inside the rebuild
// (alpha * (2^n - 1) is one rounding); the clamp at kEluSaturation keeps 2^n a normal float; exp, erf and log1p from the CUDA/libm functions (expf is
// <= 2 ULP on the GPU, erff <= 2 ULP, log1pf <= 1 ULP).
template <class Poly>
struct PolyMath : LibmMath {
  // x < 0 spelt x <= -2^-149, the same test for every float (NaN: false): spelt `x < 0`, ptxas
  // spills a register in a 16-bit fused_bias kernel; this costs what an x <= 0 test costs.
  EB_HD V if_lt0(V x, V a, V b) const { return x <= -0x1p-149f ? a : b; }
  EB_HD V scaled_expm1(V x, V s) const {
    using C = Expm1Reduction;
    const float z = fmaxf(x, kEluSaturation);
    float n = fmaf(z, C::log2e, C::magic_bias);
    const float two_n = bits_to_float(float_to_bits(n) << 23);
    n -= C::magic_bias;
    float t = fmaf(n, C::minus_ln2, z);
    constexpr std::size_t kTerms = sizeof(Poly::coefficients) / sizeof(Poly::coefficients[0]);
    float p = horner<Poly>(t, std::make_index_sequence<kTerms - 1>{});
    p *= t;
    t *= two_n;
    const float s_two_n_minus_1 = fmaf(two_n, s, -s);
    p = fmaf(p, t, t);
    return fmaf(p, s, s_two_n_minus_1);
  }
};
using AccurateMath = PolyMath<Expm1Degree6>;
using FastMath = PolyMath<Expm1Degree5>;

// The forward or backward of trait T on a backend, one element: what a kernel body calls.
template <class T, class M>
EB_HD float apply_forward(const M& m, float x, const ActivationParams& p) { return T::forward(m, x, p); }
template <class T, class M>
EB_HD float apply_backward(const M& m, float dy, float saved, const ActivationParams& p) {
  return T::backward(m, dy, saved, p);
}

}  // namespace elubench
