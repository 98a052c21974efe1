// GELU, tanh approximation (PyTorch's approximate="tanh"): 0.5 x (1 + tanh(u)),
// u = sqrt(2/pi) (x + 0.044715 x^3). Computed as x / (1 + e^(-2u)), the same function without the
// cancellation of 1 + tanh(u) for x < 0.
#pragma once

#include <algorithm>
#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct GeluTanh {
  static constexpr const char* name = "gelu_tanh";
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  static constexpr float kC0 = 0.797884561f;            // sqrt(2 / pi)
  static constexpr float kC1 = 0.797884561f * 0.044715f;
  // u's two roundings are amplified by x * s'(2u) * 2, at most ~1 ULP of the result; e^(-2u), the
  // sum and the division add 3. Where the result is tiny (x < -5) the error is absolute. The
  // derivative crosses zero at x = -0.75: absolute there.
  static constexpr Bound bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-22};
  static constexpr Bound backward_bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-21};
  static constexpr int cudnn_mode = -1;
  static constexpr const char* math = "exp";
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;  // x / (1 + e^(-2u)) = +-0 at +-0

  template <class M> EB_HD static typename M::V u_of(const M& m, typename M::V x) {
    return m.mul(x, m.fma(m.mul(x, x), m.c(kC1), m.c(kC0)));
  }
  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    const auto e = m.exp(m.mul(u_of(m, x), m.c(-2.0f)));
    return m.div(x, m.add(m.c(1.0f), e));
  }
  // d/dx [x s(2u)] = s + 2x s (1 - s) u', with 1 - s = e s (no cancellation as s -> 1). x is
  // clamped to +-1e4, where the derivative is already 1 or 0 in float (x^3 would overflow), and
  // e capped at e^80 so that e s stays finite (s is then ~e^-80 and the result ~0).
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x, const ActivationParams&) {
    const auto xc = m.min(m.max(x, m.c(-1e4f)), m.c(1e4f));
    const auto e = m.exp(m.min(m.mul(u_of(m, xc), m.c(-2.0f)), m.c(80.0f)));
    const auto s = m.div(m.c(1.0f), m.add(m.c(1.0f), e));
    const auto du = m.fma(m.mul(xc, xc), m.c(3.0f * kC1), m.c(kC0));
    const auto two_x_du = m.mul(m.add(xc, xc), du);
    return m.mul(m.mul(dy, s), m.fma(two_x_du, m.mul(e, s), m.c(1.0f)));
  }
  static double u_ref(double x) { return std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x); }
  static double reference(double x, const ActivationParams&) { return x / (1 + std::exp(-2 * u_ref(x))); }
  // The same formula in double, both caps included: they move the exact result by less than
  // 1e-33, and give infinite x the kernels' values.
  static double reference_backward(double dy, double x, const ActivationParams&) {
    const double xc = std::min(std::max(x, -1e4), 1e4);
    const double e = std::exp(std::min(-2 * u_ref(xc), 80.0)), s = 1 / (1 + e);
    const double du = std::sqrt(2 / M_PI) * (1 + 3 * 0.044715 * xc * xc);
    return dy * s * (1 + 2 * xc * du * (e * s));
  }
};

}  // namespace elubench
