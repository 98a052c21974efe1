// cpu/<activation>/layer_xnnpack*/f32: y = act(x . w + bias) on XNNPACK's fully-connected operator
// (Debian's 2022-02 snapshot), as TensorFlow Lite's XNNPACK delegate runs a dense layer.
//  copy/layer_xnnpack           the ceiling: fully connected with bias, output clamp [-inf, +inf].
//  relu/layer_xnnpack_clamp     ReLU fused as the operator's output clamp [0, +inf]: the only
//                               activation the operator itself applies.
//  elu, leaky_relu/layer_xnnpack_op
//                               fully connected, then XNNPACK's ELU (or Leaky ReLU) operator in
//                               place over y: two operators, as the delegate runs them.
// Absent: GELU, GELU-tanh, SELU (no operator in this snapshot); SiLU (sigmoid then a multiply:
// three passes and a temporary, not one operator); f16 (its fully-connected operator accumulates
// in f16, rounding after every FMA (f16-gemm avx2-broadcast), so its error grows as k 2^-11 and
// no bound of the f32-accumulating layers applies: a different computation, not a dtype).
// The operator packs w and bias when it is created: with a weights_version it is made once per
// (w, bias, version) and kept (16 at most: two clamps for each of the default suite's four
// weights, with room), as the delegate does; with 0, made in every call.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "cpu_variants.hpp"
#include "elubench/registry_rows.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

namespace {

void check(xnn_status s, const char* what) {
  if (s != xnn_status_success)
    throw std::runtime_error(std::string("xnnpack: ") + what + " failed (xnn_status " + std::to_string(s) + ")");
}

struct Cached {
  const void *w, *bias;
  std::uint64_t version;
  std::size_t k, n;
  float lo, hi;
  xnn_operator_t op;
};

class FullyConnected {
 public:
  static FullyConnected& get() {
    static FullyConnected f;
    return f;
  }
  // y = clamp(x . w + bias, lo, hi) on XNNPACK's pool of a.threads threads.
  void run(const RunArgs& a, float lo, float hi) {
    std::lock_guard<std::mutex> lock(mu_);  // an operator is set up and run by one caller at a time
    const LayerShape& s = a.layer;
    xnn_operator_t op = operator_for(a, lo, hi);
    pthreadpool_t pool = xnnpack_threadpool(a.threads);
    const float* x = static_cast<const float*>(a.x);
    float* y = static_cast<float*>(a.y);
    // XNNPACK may read XNN_EXTRA_BYTES past its input; RunArgs promises nothing past x's m rows.
    // So rows but the last are read in place (the over-read lands in the next row), and the
    // last row from a padded copy.
    struct Uncached {  // an operator made for this call only is deleted however the call ends
      xnn_operator_t op;
      ~Uncached() { if (op) xnn_delete_operator(op); }
    } uncached{a.weights_version == 0 ? op : nullptr};
    if (s.m > 1) setup_and_run(op, s.m - 1, x, y, pool);
    std::vector<float> last(s.k + XNN_EXTRA_BYTES / sizeof(float));
    std::memcpy(last.data(), x + (s.m - 1) * s.k, s.k * sizeof(float));
    setup_and_run(op, 1, last.data(), y + (s.m - 1) * s.n, nullptr);
    detail::note_threads_used(std::max(a.threads, 1));  // what XNNPACK's pool was given
  }

 private:
  FullyConnected() { check(xnn_initialize(nullptr), "xnn_initialize"); }  // once per process; idempotent
  ~FullyConnected() {
    for (const Cached& c : ops_) xnn_delete_operator(c.op);
  }

  xnn_operator_t operator_for(const RunArgs& a, float lo, float hi) {
    const LayerShape& s = a.layer;
    if (a.weights_version != 0)
      for (const Cached& c : ops_)
        if (c.w == a.w && c.bias == a.bias && c.version == a.weights_version && c.k == s.k && c.n == s.n &&
            c.lo == lo && c.hi == hi)
          return c.op;
    xnn_operator_t op = nullptr;
    // w is k x n (XNN_FLAG_TRANSPOSE_WEIGHTS: XNNPACK's own layout is n x k).
    check(xnn_create_fully_connected_nc_f32(s.k, s.n, s.k, s.n, static_cast<const float*>(a.w),
                                            static_cast<const float*>(a.bias), lo, hi, XNN_FLAG_TRANSPOSE_WEIGHTS, &op),
          "xnn_create_fully_connected_nc_f32");
    if (a.weights_version == 0) return op;
    if (ops_.size() == kKeep) {
      xnn_delete_operator(ops_.front().op);
      ops_.pop_front();
    }
    ops_.push_back({a.w, a.bias, a.weights_version, s.k, s.n, lo, hi, op});
    return op;
  }

  static void setup_and_run(xnn_operator_t op, std::size_t rows, const float* x, float* y, pthreadpool_t pool) {
    check(xnn_setup_fully_connected_nc_f32(op, rows, x, y, pool), "xnn_setup_fully_connected_nc_f32");
    check(xnn_run_operator(op, pool), "xnn_run_operator");
  }

  static constexpr std::size_t kKeep = 16;
  std::mutex mu_;
  std::deque<Cached> ops_;
};

constexpr float kInf = std::numeric_limits<float>::infinity();

void ceiling_layer(const RunArgs& a) { FullyConnected::get().run(a, -kInf, kInf); }
void relu_clamp_layer(const RunArgs& a) { FullyConnected::get().run(a, 0.0f, kInf); }

// The fully-connected operator, then `act` (an XNNPACK elementwise operator) in place over y.
template <void (*Act)(const RunArgs&)> void then_op_layer(const RunArgs& a) {
  FullyConnected::get().run(a, -kInf, kInf);
  RunArgs act = a;
  act.x = a.y;
  Act(act);
}
void elu_op_layer(const RunArgs& a) {
  // Checked before the matmul: the operator refuses it (xnn_status_invalid_parameter).
  const float alpha = a.params[Elu::kAlpha];
  if (!(std::isnormal(alpha) && alpha > 0))
    throw VariantUnavailable("XNNPACK's ELU operator refuses alpha = " + std::to_string(alpha) +
                             " (it takes a positive normal alpha only)");
  then_op_layer<xnnpack_elu_f32>(a);
}
}  // namespace

void add_xnnpack_layer_rows(std::vector<Variant>& out) {
  using rows::layer_row;
  const auto row = [&](Activation act, const char* variant, Kind kind, Accuracy acc, RunFn run, const char* what,
                       Epilogue e) {
    out.push_back(layer_row(Device::cpu, act, variant, Dtype::f32, kind, acc, run, what, {"xnnpack", e}));
  };
  row(Activation::copy, "layer_xnnpack", Kind::ceiling, Accuracy::exact, &ceiling_layer,
      "XNNPACK fully-connected operator with bias, no clamp: the layer ceiling", Epilogue::none);
  row(Activation::relu, "layer_xnnpack_clamp", Kind::peer, Accuracy::library, &relu_clamp_layer,
      "XNNPACK fully-connected operator, ReLU fused as its output clamp [0, +inf]", Epilogue::library);
  row(Activation::elu, "layer_xnnpack_op", Kind::peer, Accuracy::library, &elu_op_layer,
      "XNNPACK fully-connected operator, then XNNPACK's ELU operator over y (it has no fused ELU)",
      Epilogue::separate_pass);
  row(Activation::leaky_relu, "layer_xnnpack_op", Kind::peer, Accuracy::library, &then_op_layer<xnnpack_leaky_relu_f32>,
      "XNNPACK fully-connected operator, then XNNPACK's Leaky ReLU operator over y", Epilogue::separate_pass);
}

}  // namespace elubench::cpu
