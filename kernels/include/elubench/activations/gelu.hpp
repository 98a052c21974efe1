// GELU (Hendrycks and Gimpel, arXiv:1606.08415), the erf form: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)).
#pragma once

#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct Gelu {
  static constexpr const char* name = "gelu";
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  // 0.5x(1 + erf) is PyTorch's formula. For x < -2 the sum cancels (the result is below 0.05), and
  // below x = -5.16 erf rounds to -1 in float and the result to 0 where the true one is down to
  // -6.2e-7: there the error is an absolute one, <= 2^-20 for every dtype (libm's erff shows
  // 4.8e-7, the SIMD rational 9.5e-7). Elsewhere erf's few ULP and the fma. The derivative
  // Phi + x phi crosses zero at x = -0.75 and cancels below x = -3: absolute there too.
  static constexpr Bound bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-20};
  static constexpr Bound backward_bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-20};
  static constexpr int cudnn_mode = -1;  // not in cuDNN's legacy activation API
  static constexpr const char* math = "erf";
  // x * Phi(x) is -0 at -0, but the one-FMA form below (and PyTorch 1.13's on the CPU) ends in
  // (+0) + (-0) = +0 there, while 0.5 x (1 + erf) keeps -0: both are the usual GELU.
  static constexpr ZeroSign zero_sign = ZeroSign::either;

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    const auto half_x = m.mul(x, m.c(0.5f));
    return m.fma(half_x, m.erf_sqrt1_2(x), half_x);
  }
  // dy * (Phi(x) + x phi(x)), phi(x) = e^(-x^2/2) / sqrt(2 pi).
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x, const ActivationParams&) {
    const auto cdf = m.fma(m.erf_sqrt1_2(x), m.c(0.5f), m.c(0.5f));
    const auto pdf = m.mul(m.exp(m.mul(m.mul(x, x), m.c(-0.5f))), m.c(0.398942280f));
    return m.mul(dy, m.fma(x, pdf, cdf));
  }
  // erfc(-x/sqrt 2) instead of 1 + erf(x/sqrt 2): no cancellation, so the reference is exact to
  // double precision across the whole range.
  static double reference(double x, const ActivationParams&) { return 0.5 * x * std::erfc(-x * M_SQRT1_2); }
  static double reference_backward(double dy, double x, const ActivationParams&) {
    const double cdf = 0.5 * std::erfc(-x * M_SQRT1_2), pdf = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    return dy * (cdf + x * pdf);
  }
};

}  // namespace elubench
