// Softplus (PyTorch's nn.Softplus): log(1 + e^(beta x)) / beta, and x itself where beta x > 20
// (PyTorch's threshold, past which the two agree to float precision).
#pragma once

#include <cmath>

#include "elubench/activations.hpp"

namespace elubench {

struct Softplus {
  static constexpr const char* name = "softplus";
  // beta > 0; [1e-3, 1e3] keeps beta x and the division by beta well inside float's range.
  static constexpr ParamSpec params[] = {
      {"beta", 1.0f, 1e-3f, 1e3f, "sharpness: log(1 + e^(beta x)) / beta, the ReLU's kink as beta grows"}};
  static constexpr int kBeta = 0;
  static constexpr float kThreshold = 20.0f;  // PyTorch's default
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  // e^t (<= 2 ULP) then log1p (<= 2 ULP; its condition number e/((1 + e) log1p(e)) is <= 1, so
  // e's error does not grow): <= 4 ULP; beta != 1 adds the division. Where e^t underflows
  // (t < -87) the result is below 2^-115 and the error an absolute one.
  static constexpr Bound bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-100};
  static constexpr Bound bound_other_params{.ulp_f32 = 5, .ulp_16 = 1, .abs = 0x1p-100};
  // dy * sigmoid(t) = dy e / (1 + e): the exponential, a sum, a division and the product.
  static constexpr Bound backward_bound{.ulp_f32 = 4, .ulp_16 = 1, .abs = 0x1p-100};
  static constexpr int cudnn_mode = -1;  // not in cuDNN's legacy activation API
  static constexpr const char* math = "log1p";
  // softplus(+-0) = log 2: no zero to sign.
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;

  // t = beta x rounded to float, as PyTorch computes it. t - 20 is exact near 20 (Sterbenz),
  // and NaN (t - 20 <= 0 false) takes x, so NaN stays NaN whatever exp and log1p make of it.
  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams& p) {
    const auto t = m.mul(x, m.c(p[kBeta]));
    const auto y = m.div(m.log1p(m.exp(t)), m.c(p[kBeta]));
    return m.if_le0(m.sub(t, m.c(kThreshold)), y, x);
  }
  // dy where t >= 20 (20 - t <= 0: PyTorch's t > 20, and at t = 20 the sigmoid is 1 in float),
  // dy * sigmoid(t) = dy e / (1 + e) elsewhere. A NaN t takes the sigmoid, which keeps it (e is
  // NaN, or +inf on the SIMD backend, and inf / inf is NaN); past 88.7 e / (1 + e) is NaN too,
  // but that lane takes dy.
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x, const ActivationParams& p) {
    const auto t = m.mul(x, m.c(p[kBeta]));
    const auto e = m.exp(t);
    return m.if_le0(m.sub(m.c(kThreshold), t), dy, m.mul(dy, m.div(e, m.add(e, m.c(1.0f)))));
  }
  // The reference takes t = beta x rounded to float, as the kernels and PyTorch do: it checks the
  // arithmetic after that product (whose rounding e^t would amplify by |t|, up to 20 ULP).
  static double t_of(double x, const ActivationParams& p) { return static_cast<float>(static_cast<float>(x) * p[kBeta]); }
  static double reference(double x, const ActivationParams& p) {
    const double t = t_of(x, p);
    return t > kThreshold ? x : std::log1p(std::exp(t)) / p[kBeta];
  }
  static double reference_backward(double dy, double x, const ActivationParams& p) {
    const double t = t_of(x, p), e = std::exp(t);
    return t > kThreshold ? dy : dy * (e / (1 + e));
  }
};

}  // namespace elubench
