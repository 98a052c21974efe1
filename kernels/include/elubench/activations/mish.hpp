// Mish (Misra, arXiv:1908.08681): x tanh(softplus(x)) = x tanh(log(1 + e^x)). With e = e^x,
// tanh(log(1 + e)) = n / (n + 2), n = e (e + 2): one exponential, no log1p and no tanh.
#pragma once

#include <algorithm>
#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct Mish {
  static constexpr const char* name = "mish";
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  // x is clamped to <= 20 inside the exponential: there n / (n + 2) is already 1 in float, and
  // e^x would overflow n past x = 44.
  static constexpr float kHigh = 20.0f;
  // e^x (<= 2 ULP), e + 2 and its product (no cancellation: both positive), n + 2, the division
  // and the product with x: five roundings after the exponential, <= 5 ULP (4 measured, libm and
  // AVX3). Below x = -87 e^x underflows and the result (|y| < 2^-118) is an absolute error.
  static constexpr Bound bound{.ulp_f32 = 5, .ulp_16 = 1, .abs = 0x1p-100};
  // The derivative crosses zero at x = -1.19 (and its two terms cancel there): absolute.
  static constexpr Bound backward_bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-21};
  static constexpr int cudnn_mode = -1;  // not in cuDNN's legacy activation API
  static constexpr const char* math = "exp";
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;  // x * 0.6 = +-0 at +-0 (PyTorch 1.13 CPU: -0 at -0)

  // tanh(softplus(x)) = n / (n + 2), n = e (e + 2).
  template <class M> EB_HD static typename M::V tanh_softplus(const M& m, typename M::V e) {
    const auto n = m.mul(e, m.add(e, m.c(2.0f)));
    return m.div(n, m.add(n, m.c(2.0f)));
  }
  // NaN stays NaN through the product with x; x = -inf gives -inf * 0 = NaN, as PyTorch's
  // x * tanh(log1p(exp(x))) does (and SiLU's x * sigmoid(x)).
  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    return m.mul(x, tanh_softplus(m, m.exp(m.min(x, m.c(kHigh)))));
  }
  // dy (t + x sigmoid(x) (1 - t^2)), t = n / (n + 2): 1 - t^2 = 4 (n + 1) / (n + 2)^2 and
  // n + 1 = (1 + e)^2, so sigmoid (1 - t^2) = 4 e (1 + e) / (n + 2)^2, divided by n + 2 twice
  // (its square would overflow past x = 22). x is clamped to [-1e4, 30]: past 30 the derivative is
  // 1 in float, below -1e4 it is 0, and e, n stay finite.
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x_in, const ActivationParams&) {
    const auto x = m.min(m.max(x_in, m.c(-1e4f)), m.c(30.0f));
    const auto e = m.exp(x);
    const auto n = m.mul(e, m.add(e, m.c(2.0f))), n2 = m.add(n, m.c(2.0f));
    const auto s = m.div(m.div(m.mul(m.mul(e, m.c(4.0f)), m.add(e, m.c(1.0f))), n2), n2);
    return m.mul(dy, m.fma(x, s, m.div(n, n2)));
  }
  static double reference(double x, const ActivationParams&) { return x * std::tanh(std::log1p(std::exp(x))); }
  // The same formula in double, clamp included: it moves the exact result by less than 1e-11
  // (about 4 x e^-x at 30) and gives infinite x the limits (0 and dy).
  static double reference_backward(double dy, double x_in, const ActivationParams&) {
    const double x = std::min(std::max(x_in, -1e4), 30.0), e = std::exp(x);
    const double n = e * (e + 2), n2 = n + 2;
    return dy * (n / n2 + x * (4 * e * (1 + e) / n2 / n2));
  }
};

}  // namespace elubench
