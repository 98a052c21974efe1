// The GPU layer rows' orders (kernels/cuda/layer_steps.hpp) run on the host: matmul + bias over
// each block of rows by a host f32 matmul standing in for cuBLASLt's EPILOGUE_BIAS, and the
// activation by the vectorized kernel's exact __host__ __device__ body over a simulated grid, in
// the order the rows issue them on their stream. y is checked against the float64 layer with the
// registry row's own bound, so the blocks, their offsets and the in-place activation are tested
// without a GPU; cuBLASLt itself is not (it runs only on a GPU). A planted order that activates
// only the first block is caught.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "elubench/layer.hpp"
#include "elubench/reference_layer.hpp"
#include "families.cuh"
#include "layer_steps.hpp"

using namespace elubench;
using namespace elubench::cuda;

namespace {

constexpr size_t kThreads = 96;  // simulated grid: not a multiple of the vector width

// y's block = x's block . w + bias, accumulated in f32 with FMA (as CUBLAS_COMPUTE_32F), stored once.
template <Dtype D> void host_bias_matmul(const RunArgs& b) {
  const LayerShape& s = b.layer;
  for (size_t i = 0; i < s.m; ++i)
    for (size_t j = 0; j < s.n; ++j) {
      float acc = load_as_float(b.bias, j, D);
      for (size_t k = 0; k < s.k; ++k) acc = std::fmaf(load_as_float(b.x, i * s.k + k, D), load_as_float(b.w, k * s.n + j, D), acc);
      store_from_float(b.y, i * s.n + j, D, acc);
    }
}

// The activation of a block in place, as layer_cublaslt.cpp's activate(): x = y, n = the block.
template <Activation A, Dtype D> void simulated_activate(const RunArgs& block) {
  RunArgs r = block;
  r.x = block.y;
  const auto a = typed<storage_t<D>>(r);
  for (size_t t = 0; t < kThreads; ++t) vectorized<tag_t<A>>::run(t, kThreads, a);
}

struct Layer {
  LayerShape s;
  std::vector<unsigned char> x, w, b, y;
  RunArgs args;
};
Layer make_layer(const LayerShape& s, Dtype d, unsigned seed, Activation act = Activation::elu) {
  const size_t es = dtype_size(d);
  Layer l{s, std::vector<unsigned char>(s.m * s.k * es), std::vector<unsigned char>(s.k * s.n * es),
          std::vector<unsigned char>(s.n * es), std::vector<unsigned char>(s.m * s.n * es, 0xAB), {}};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t i = 0; i < s.m * s.k; ++i) store_from_float(l.x.data(), i, d, 2.0f * normal(rng));
  for (size_t i = 0; i < s.k * s.n; ++i) store_from_float(l.w.data(), i, d, normal(rng) / std::sqrt(float(s.k)));
  for (size_t i = 0; i < s.n; ++i) store_from_float(l.b.data(), i, d, normal(rng));
  RunArgs& a = l.args;
  a.x = l.x.data(), a.w = l.w.data(), a.bias = l.b.data(), a.y = l.y.data();
  a.layer = s, a.n = s.m * s.n, a.cols = s.n;
  a.params = default_params(act);
  return l;
}

// Both orders of (A, D) on shapes cut into several blocks by a 1 KiB "L2", checked with the rows' bound.
template <Activation A, Dtype D> void check_orders() {
  for (const LayerShape s : {LayerShape{5, 40, 70}, LayerShape{33, 64, 129}}) {
    const LayerTiles plan = gpu_layer::gpu_plan(s, D, 1024);
    ASSERT_GE(plan.row_tiles, 2u) << to_string(s);
    for (const char* method : {"layer_cublaslt_tiled", "layer_cublaslt_vectorized"}) {
      const std::string name = variant_name(Device::gpu, A, method, D);
      const Variant* v = find_layer_variant(name);
      ASSERT_NE(v, nullptr) << name;
      Layer l = make_layer(s, D, static_cast<unsigned>(s.m + s.n), A);
      if (v->layer->epilogue == Epilogue::tiled) gpu_layer::run_tiled(l.args, D, plan, host_bias_matmul<D>, simulated_activate<A, D>);
      else gpu_layer::run_separate(l.args, host_bias_matmul<D>, simulated_activate<A, D>);
      const LayerReference ref = reference_layer(D, l.x.data(), l.w.data(), l.b.data(), s, sample_rows(s.m, s.m));
      const LayerCheckResult r = check_layer(*v, ref, l.y.data(), default_params(A));
      EXPECT_TRUE(r.ok) << r.message;
    }
  }
}

TEST(GpuLayerSteps, BothOrdersMatchTheFloat64Layer) {
  check_orders<Activation::elu, Dtype::f32>();
  check_orders<Activation::relu, Dtype::f32>();
  check_orders<Activation::gelu, Dtype::f32>();
  check_orders<Activation::silu, Dtype::bf16>();
  check_orders<Activation::elu, Dtype::f16>();
}

TEST(GpuLayerSteps, ABlockLeftUnactivatedIsCaught) {
  const LayerShape s{33, 64, 129};
  Layer l = make_layer(s, Dtype::f32, 3);
  const void* first = l.args.y;
  gpu_layer::run_tiled(l.args, Dtype::f32, gpu_layer::gpu_plan(s, Dtype::f32, 1024), host_bias_matmul<Dtype::f32>,
                       [first](const RunArgs& block) {
                         if (block.y == first) simulated_activate<Activation::elu, Dtype::f32>(block);
                       });
  const LayerReference ref = reference_layer(Dtype::f32, l.x.data(), l.w.data(), l.b.data(), s, sample_rows(s.m, s.m));
  const LayerCheckResult r = check_layer(*find_layer_variant("gpu/elu/layer_cublaslt_tiled/f32"), ref, l.y.data(), default_params(Activation::elu));
  EXPECT_FALSE(r.ok);
}

}  // namespace
