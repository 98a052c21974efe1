// cpu/*/eigen: the library peer in TensorFlow's formulation. TensorFlow's CPU Elu functor is
// `(x < 0).select(x.exp() - 1, x)` over Eigen tensor maps; we evaluate the same expression on
// the caller's buffers (times alpha, which TensorFlow's Elu fixes at 1). exp(x) - 1 cancels
// near 0 (x = -1e-8 gives 0), which is why the row is Accuracy::library (an absolute-error
// bound near 0), not accurate. ReLU is TensorFlow's Relu functor, `x.cwiseMax(0)`.
// Compiled for the baseline ISA like the rest of elubench (no -march=native), so Eigen uses
// its SSE2 packets here.
#include <unsupported/Eigen/CXX11/Tensor>

#include "cpu_variants.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

namespace {
using Map = Eigen::TensorMap<Eigen::Tensor<float, 1, Eigen::RowMajor, Eigen::Index>, Eigen::Unaligned>;
using ConstMap =
    Eigen::TensorMap<Eigen::Tensor<const float, 1, Eigen::RowMajor, Eigen::Index>, Eigen::Unaligned>;
}  // namespace

void eigen_elu_f32(const RunArgs& a) {
  // One Eigen expression per thread chunk (Eigen's own ThreadPoolDevice would need its pool
  // set up per call; splitting with parallel_for keeps threading identical to our variants).
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    const auto len = static_cast<Eigen::Index>(end - begin);
    ConstMap x(static_cast<const float*>(a.x) + begin, len);
    Map y(static_cast<float*>(a.y) + begin, len);
    const float alpha = a.params[Elu::kAlpha];
    y = (x < x.constant(0.0f)).select(x.constant(alpha) * (x.exp() - x.constant(1.0f)), x);
  });
}

void eigen_relu_f32(const RunArgs& a) {
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    const auto len = static_cast<Eigen::Index>(end - begin);
    ConstMap x(static_cast<const float*>(a.x) + begin, len);
    Map y(static_cast<float*>(a.y) + begin, len);
    y = x.cwiseMax(0.0f);
  });
}

}  // namespace elubench::cpu
