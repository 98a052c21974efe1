// Leaky ReLU (Maas et al. 2013): x for x > 0, negative_slope * x otherwise (PyTorch's default 0.01).
#pragma once

#include "elubench/activations.hpp"

namespace elubench {

struct LeakyRelu {
  static constexpr const char* name = "leaky_relu";
  static constexpr ParamSpec params[] = {
      {"negative_slope", 0.01f, -1e6f, 1e6f, "Leaky ReLU's slope for x <= 0 (PyTorch's default 0.01)"}};
  static constexpr int kSlope = 0;
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::input;
  // One multiply: exact in f32 (the double product of two floats is exact, rounded once); for
  // 16-bit types the float product is rounded to float and then to the type, a double rounding
  // that can cost 1 ULP. Backward is the same multiply with dy.
  static constexpr Accuracy accuracy = Accuracy::accurate, backward_accuracy = Accuracy::accurate;
  static constexpr Bound bound{.ulp_f32 = 0, .ulp_16 = 1}, backward_bound{.ulp_f32 = 0, .ulp_16 = 1};
  static constexpr int cudnn_mode = -1;  // not in cuDNN's legacy activation API
  static constexpr const char* math = "multiply";
  static constexpr ZeroSign zero_sign = ZeroSign::of_input;  // slope * (+-0) = +-0

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams& p) {
    return m.if_le0(x, m.mul(x, m.c(p[kSlope])), x);
  }
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V x, const ActivationParams& p) {
    return m.if_le0(x, m.mul(dy, m.c(p[kSlope])), dy);
  }
  static double reference(double x, const ActivationParams& p) {
    return x <= 0 ? x * static_cast<double>(p[kSlope]) : x;
  }
  static double reference_backward(double dy, double x, const ActivationParams& p) {
    return x <= 0 ? dy * static_cast<double>(p[kSlope]) : dy;
  }
};

}  // namespace elubench
