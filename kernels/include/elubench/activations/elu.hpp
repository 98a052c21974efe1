// ELU (Clevert et al., arXiv:1511.07289): x for x > 0, alpha * (e^x - 1) otherwise.
#pragma once

#include <cmath>
#include <string_view>

#include "elubench/activations.hpp"

namespace elubench {

struct Elu {
  static constexpr const char* name = "elu";
  // alpha >= 0: alpha = 0 makes ELU equal ReLU for x <= 0 (a tested case); 1e6 keeps alpha * x finite.
  static constexpr ParamSpec params[] = {{"alpha", 1.0f, 0.0f, 1e6f, "ELU's value at x -> -inf is -alpha"}};
  static constexpr int kAlpha = 0;
  static constexpr bool has_fast_form = true;  // the exponential has a cheaper approximation
  static constexpr Saved saved = Saved::output;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  // Forward: the accurate expm1 forms are <= 2 ULP (alpha = 1); alpha * (e^x - 1) adds one
  // rounding of the product otherwise, and a bias (x + b rounded first) one more.
  static constexpr Bound bound{.ulp_f32 = 2, .ulp_16 = 1};
  static constexpr Bound bound_other_params{.ulp_f32 = 3, .ulp_16 = 1};
  // Backward, from the saved output as PyTorch does: dy * (y + alpha) for y <= 0. y + alpha and
  // the product are two roundings; near y = -alpha the sum cancels to alpha * e^x (tiny), where
  // the error is an absolute one, at most half an ULP of alpha times |dy|.
  static constexpr Bound backward_bound{.ulp_f32 = 2, .ulp_16 = 1, .abs = 0x1p-21};
  static constexpr int cudnn_mode = 4;  // CUDNN_ACTIVATION_ELU
  static constexpr const char* math = "expm1";
  // ELU(+-0) = alpha * expm1(+-0) = +-0. oneDNN computes alpha * (exp(x) - 1), which gives +0 at -0
  // (the cancellation its documented 4e-5 bound already allows near 0): checked either sign.
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;
  static constexpr std::string_view zero_sign_either_peers[] = {"onednn"};

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams& p) {
    // x < 0, not x <= 0: at x = -0 the rebuilt expm1 ends in (+0) + (-0) = +0, and ELU(-0) = -0.
    return m.if_lt0(x, m.scaled_expm1(x, m.c(p[kAlpha])), x);
  }
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V y, const ActivationParams& p) {
    return m.if_le0(y, m.mul(dy, m.add(y, m.c(p[kAlpha]))), dy);
  }
  // expm1, not exp(x) - 1: near 0 the subtraction cancels every significant bit (the bug JAX,
  // TensorFlow and PyTorch each shipped once). NaN stays NaN; -inf gives -alpha.
  static double reference(double x, const ActivationParams& p) { return x > 0 ? x : p[kAlpha] * std::expm1(x); }
  static double reference_backward(double dy, double y, const ActivationParams& p) {
    return y <= 0 ? dy * (y + p[kAlpha]) : dy;
  }
};

}  // namespace elubench
