// SiLU / Swish (Elfwing et al. 2017; Ramachandran et al. 2017): x * sigmoid(x) = x / (1 + e^-x).
#pragma once

#include <algorithm>
#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct Silu {
  static constexpr const char* name = "silu";
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  // e^-x (<= 1-2 ULP), the sum and the division: <= 4 ULP. Below x = -88 e^-x overflows and the
  // result (|y| < 2^-120) flushes towards 0: absolute there. The derivative s (1 + x (1 - s))
  // crosses zero at x = -1.28: absolute there.
  static constexpr Bound bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-40};
  static constexpr Bound backward_bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-21};
  static constexpr int cudnn_mode = 6;  // CUDNN_ACTIVATION_SWISH (beta 1)
  static constexpr const char* math = "exp";
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;  // x / (1 + e^-x) = +-0 at +-0

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    return m.div(x, m.add(m.c(1.0f), m.exp(m.mul(x, m.c(-1.0f)))));
  }
  // dy * s (1 + x (1 - s)), with 1 - s = e s (no cancellation as s -> 1). x is clamped to
  // +-1e4, where the derivative is already 1 or 0 in float, and e capped at e^80 so that e s
  // stays finite (s is then ~e^-80 and the result ~0).
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x_in, const ActivationParams&) {
    const auto x = m.min(m.max(x_in, m.c(-1e4f)), m.c(1e4f));
    const auto e = m.exp(m.min(m.mul(x, m.c(-1.0f)), m.c(80.0f)));
    const auto s = m.div(m.c(1.0f), m.add(m.c(1.0f), e));
    return m.mul(m.mul(dy, s), m.fma(x, m.mul(e, s), m.c(1.0f)));
  }
  static double reference(double x, const ActivationParams&) { return x / (1 + std::exp(-x)); }
  // The same formula in double, clamp and cap included: they move the exact result by less than
  // 1e-30, and give infinite x the limits (0 and dy).
  static double reference_backward(double dy, double x_in, const ActivationParams&) {
    const double x = std::min(std::max(x_in, -1e4), 1e4);
    const double e = std::exp(std::min(-x, 80.0)), s = 1 / (1 + e);
    return dy * s * (1 + x * (e * s));
  }
};

}  // namespace elubench
