// cpu/<activation>/layer_onednn*/<dtype>: y = act(x . w + bias) on oneDNN's matmul, four ways.
//  copy/layer_onednn         the ceiling: the matmul with bias and no activation.
//  layer_onednn_postop       the activation as oneDNN's eltwise post-op, fused by the library:
//                            what a framework calling oneDNN gets.
//  layer_onednn_vectorized   the matmul with bias, then our vectorized activation as a second
//                            pass over y (unfused: y is written, read and written again).
//  layer_onednn_tiled        ours, fused by tiling: the matmul on tiles of y that fit half a
//                            core's L2 (plan_layer_tiles), each tile activated by our vectorized
//                            kernel right after its matmul, while it is still in L2; the tiles
//                            shared among the pool's threads, each running oneDNN on one thread.
// Every activation has a post-op in oneDNN 2.6: eltwise_elu (alpha), eltwise_relu (alpha = 0, or
// Leaky ReLU's slope), eltwise_gelu_erf, eltwise_gelu_tanh, eltwise_swish (alpha = 1: SiLU), and
// SELU as eltwise_elu with SELU's alpha, scaled by its lambda. Dtypes: f32, and bf16 where this
// CPU has oneDNN's bf16 matmul (AVX-512; elsewhere the rows are skipped with the reason). No f16:
// oneDNN 2.6 has no f16 matmul on CPUs.
#include <algorithm>
#include <string>
#include <vector>

#include "cpu_variants.hpp"
#include "elubench/layer.hpp"
#include "elubench/registry_rows.hpp"
#include "onednn_matmul.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

namespace {
using onednn::PostOp;
using alg = dnnl::algorithm;

// The activation as a oneDNN post-op, per trait; a trait without a specialization has no
// layer_onednn_postop row (none is missing today).
template <class Trait> struct OneDnnPostOp;
template <> struct OneDnnPostOp<Elu> {
  static constexpr const char* name = "eltwise_elu with alpha";
  static PostOp of(const ActivationParams& p) { return {alg::eltwise_elu, p[Elu::kAlpha]}; }
};
template <> struct OneDnnPostOp<Relu> {
  static constexpr const char* name = "eltwise_relu";
  static PostOp of(const ActivationParams&) { return {alg::eltwise_relu}; }
};
template <> struct OneDnnPostOp<LeakyRelu> {
  static constexpr const char* name = "eltwise_relu with alpha = the negative slope";
  static PostOp of(const ActivationParams& p) { return {alg::eltwise_relu, p[LeakyRelu::kSlope]}; }
};
template <> struct OneDnnPostOp<Gelu> {
  static constexpr const char* name = "eltwise_gelu_erf";
  static PostOp of(const ActivationParams&) { return {alg::eltwise_gelu_erf}; }
};
template <> struct OneDnnPostOp<GeluTanh> {
  static constexpr const char* name = "eltwise_gelu_tanh";
  static PostOp of(const ActivationParams&) { return {alg::eltwise_gelu_tanh}; }
};
template <> struct OneDnnPostOp<Silu> {
  static constexpr const char* name = "eltwise_swish with alpha 1";
  static PostOp of(const ActivationParams&) { return {alg::eltwise_swish, 1.0f}; }
};
template <> struct OneDnnPostOp<Selu> {
  static constexpr const char* name = "eltwise_elu with SELU's alpha, scaled by its lambda";
  static PostOp of(const ActivationParams&) { return {alg::eltwise_elu, float(Selu::kAlpha), 0.0f, float(Selu::kLambda)}; }
};
template <Activation A> constexpr bool has_post_op() {
  if constexpr (A == Activation::copy || pass_of<A> != Pass::forward) return false;
  else return requires { OneDnnPostOp<trait_t<A>>::name; };
}
// oneDNN 2.6 matmuls on CPUs: f32, bf16.
constexpr bool has_matmul(Dtype d) { return d != Dtype::f16; }

template <Activation A, Dtype D> void postop_layer(const RunArgs& a) {
  onednn::run_whole(a, D, OneDnnPostOp<trait_t<A>>::of(a.params));
  detail::note_threads_used(std::max(a.threads, 1));
}

template <Activation A, Dtype D> void vectorized_layer(const RunArgs& a) {
  onednn::run_whole(a, D, std::nullopt);
  RunArgs act = a;
  act.x = a.y;
  vectorized_kernel(A, D)(act);
  detail::note_threads_used(std::max(a.threads, 1));
}

// y's tile t activated in place by `act` on the calling thread: one call for a tile of whole
// rows (contiguous), one per row for a column panel.
void activate_tile(RunFn act, const RunArgs& a, Dtype d, const Tile& t) {
  const std::size_t es = dtype_size(d);
  RunArgs r = a;
  r.threads = 1;
  const bool whole_rows = t.cols == a.layer.n;
  r.n = whole_rows ? t.rows * t.cols : t.cols;
  for (std::size_t i = 0; i < (whole_rows ? 1 : t.rows); ++i) {
    r.y = static_cast<char*>(a.y) + ((t.row + i) * a.layer.n + t.col) * es;
    r.x = r.y;
    act(r);
  }
}

template <Activation A, Dtype D> void tiled_layer(const RunArgs& a) {
  const int workers = std::max(a.threads, 1);
  const LayerTiles plan = plan_layer_tiles(a.layer, D, cpu_tile_cache_bytes(), workers);
  const std::size_t count = tile_count(a.layer, plan);
  // Primitives and packed weights are made here, on the calling thread; the workers only run.
  std::vector<onednn::Prepared> prepared;
  prepared.reserve(count);
  for (std::size_t i = 0; i < count; ++i) prepared.push_back(onednn::prepare(a, D, tile_at(a.layer, plan, i), std::nullopt));
  struct Ctx {
    const RunArgs& a;
    const LayerTiles& plan;
    const std::vector<onednn::Prepared>& prepared;
    RunFn act;
    int workers;
  } ctx{a, plan, prepared, vectorized_kernel(A, D), workers};
  detail::pool_run(workers, [](void* p, int k) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    const std::size_t n = c.prepared.size(), begin = n * k / c.workers, end = n * (k + 1) / c.workers;
    for (std::size_t i = begin; i < end; ++i) {
      const Tile t = tile_at(c.a.layer, c.plan, i);
      onednn::execute(c.prepared[i], c.a, D, t, 1);
      activate_tile(c.act, c.a, D, t);
    }
  }, &ctx);
}

template <Dtype D> void ceiling_layer(const RunArgs& a) {
  onednn::run_whole(a, D, std::nullopt);
  detail::note_threads_used(std::max(a.threads, 1));
}

template <Activation A, Dtype D> struct PostOpFamily {
  static constexpr RunFn run() {
    if constexpr (has_post_op<A>() && has_matmul(D)) return &postop_layer<A, D>;
    else return nullptr;
  }
};
template <Activation A, Dtype D> struct VectorizedFamily {
  static constexpr RunFn run() {
    if constexpr (A != Activation::copy && pass_of<A> == Pass::forward && has_matmul(D)) return &vectorized_layer<A, D>;
    else return nullptr;
  }
};
template <Activation A, Dtype D> struct TiledFamily {
  static constexpr RunFn run() {
    if constexpr (A != Activation::copy && pass_of<A> == Pass::forward && has_matmul(D)) return &tiled_layer<A, D>;
    else return nullptr;
  }
};

std::string post_op_name(Activation a) {
  return visit_activation(a, []<class T, Pass>() -> std::string {
    if constexpr (requires { OneDnnPostOp<T>::name; }) return OneDnnPostOp<T>::name;
    else return "";
  });
}

// The rows of one method: every (activation, dtype) its family has.
template <template <Activation, Dtype> class Family>
void add_method(const char* variant, Kind kind, Epilogue e, std::string description, std::vector<Variant>& out) {
  for (Activation a : all_activations())
    for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16})
      if (const RunFn run = rows::kernel_table<Family>(a, d)) {
        const Accuracy acc = e == Epilogue::library ? Accuracy::library : rows::ours_accuracy(a);
        const std::string what = e == Epilogue::library ? description + post_op_name(a) : description;
        out.push_back(rows::layer_row(Device::cpu, a, variant, d, kind, acc, run, what, {"onednn", e}));
      }
}
}  // namespace

void add_onednn_layer_rows(std::vector<Variant>& out) {
  using rows::layer_row;
  out.push_back(layer_row(Device::cpu, Activation::copy, "layer_onednn", Dtype::f32, Kind::ceiling, Accuracy::exact,
                          &ceiling_layer<Dtype::f32>, "oneDNN matmul with bias, no activation: the layer ceiling",
                          {"onednn", Epilogue::none}));
  out.push_back(layer_row(Device::cpu, Activation::copy, "layer_onednn", Dtype::bf16, Kind::ceiling, Accuracy::exact,
                          &ceiling_layer<Dtype::bf16>, "oneDNN matmul with bias, no activation: the layer ceiling",
                          {"onednn", Epilogue::none}));
  add_method<PostOpFamily>("layer_onednn_postop", Kind::peer, Epilogue::library,
                           "oneDNN matmul with bias and the activation as its post-op, fused by oneDNN: ", out);
  add_method<VectorizedFamily>("layer_onednn_vectorized", Kind::kernel, Epilogue::separate_pass,
                               "oneDNN matmul with bias, then our vectorized activation over y: two passes", out);
  add_method<TiledFamily>("layer_onednn_tiled", Kind::kernel, Epilogue::tiled,
                          "ours: oneDNN matmul on tiles of y sized to half a core's L2, each tile activated by our "
                          "vectorized kernel while in L2, tiles shared among the pool's threads",
                          out);
}

}  // namespace elubench::cpu
