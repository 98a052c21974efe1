// ReLU: max(x, 0), keeping NaN (x86's max instructions drop it) and mapping -0.0 to +0.0.
#pragma once

#include "elubench/activations.hpp"

namespace elubench {

struct Relu {
  static constexpr const char* name = "relu";
  static constexpr bool has_fast_form = false;
  static constexpr Saved saved = Saved::output;
  // A select in both directions: bit-exact.
  static constexpr Accuracy accuracy = Accuracy::exact, backward_accuracy = Accuracy::exact;
  static constexpr Bound bound{.ulp_f32 = 0, .ulp_16 = 0}, backward_bound{.ulp_f32 = 0, .ulp_16 = 0};
  static constexpr int cudnn_mode = 1;  // CUDNN_ACTIVATION_RELU
  static constexpr const char* math = "select";
  // max(x, +0) gives +0 at -0 (ours, XNNPACK, oneDNN); `x < 0 ? 0 : x` gives -0 (Eigen, PyTorch
  // 1.13 on the CPU). Both are ReLU.
  static constexpr ZeroSign zero_sign = ZeroSign::either;

  template <class M> EB_HD static typename M::V forward(const M& m, typename M::V x, const ActivationParams&) {
    return m.if_le0(x, m.zero(), x);
  }
  // From the saved output, as PyTorch's threshold_backward: dy where y > 0, else 0.
  template <class M>
  EB_HD static typename M::V backward(const M& m, typename M::V dy, typename M::V y, const ActivationParams&) {
    return m.if_le0(y, m.zero(), dy);
  }
  static double reference(double x, const ActivationParams&) { return (x > 0 || x != x) ? x : 0.0; }
  static double reference_backward(double dy, double y, const ActivationParams&) { return y <= 0 ? 0.0 : dy; }
};

}  // namespace elubench
