// SELU (Klambauer et al., arXiv:1706.02515): lambda * ELU(x; alpha) with the fixed lambda and alpha
// that make activations self-normalizing.
#pragma once

#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct Selu {
  static constexpr const char* name = "selu";
  static constexpr bool has_fast_form = true;
  static constexpr Saved saved = Saved::output;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  // ELU's bound with alpha != 1 (lambda * alpha folded into the expm1's rebuild, lambda * x one
  // rounding); backward as ELU's: dy * (y + lambda alpha) cancels near the saturation.
  static constexpr Bound bound{.ulp_f32 = 3, .ulp_16 = 1};
  static constexpr Bound backward_bound{.ulp_f32 = 2, .ulp_16 = 1, .abs = 0x1p-20};
  static constexpr int cudnn_mode = -1;
  static constexpr const char* math = "expm1";
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;  // lambda * alpha * expm1(+-0) = +-0

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    // x < 0 as ELU's select: -0 takes lambda * x = -0 (the rebuilt expm1 gives +0 there).
    return m.if_lt0(x, m.scaled_expm1(x, m.c(float(kLambda * kAlpha))), m.mul(x, m.c(float(kLambda))));
  }
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V y, const ActivationParams&) {
    return m.if_le0(y, m.mul(dy, m.add(y, m.c(float(kLambda * kAlpha)))), m.mul(dy, m.c(float(kLambda))));
  }
  // The float constants are the ones the kernels use: the reference checks the arithmetic, not
  // the 1e-8 between float(lambda) and lambda.
  static double reference(double x, const ActivationParams&) {
    return x > 0 ? double(float(kLambda)) * x : double(float(kLambda * kAlpha)) * std::expm1(x);
  }
  static double reference_backward(double dy, double y, const ActivationParams&) {
    return y <= 0 ? dy * (y + double(float(kLambda * kAlpha))) : dy * double(float(kLambda));
  }
};

}  // namespace elubench
