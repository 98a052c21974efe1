// gpu/*/fused_bias: y = act(x + b[col]) in one pass over x (x is rows x cols, b has cols
// elements). The vectorized kernel's access pattern with the bias added in float before the
// activation; against bias_then_act it saves a full write and re-read of the tensor.
#include "bodies/fused_bias.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, class T>
__global__ void __launch_bounds__(kThreads) fused_bias_kernel(Args<T> a) {
  fused_bias_body<A, T>(global_tid(), global_threads(), a);
}

template <Activation A, Dtype D> void fused_bias(const RunArgs& r) {
  using T = storage_t<D>;
  check_bias_shape(r, "gpu fused_bias");
  if (r.n == 0) return;
  const unsigned grid = stream_grid(fused_bias_kernel<A, T>, r.n, kVec<T> * kUnroll);
  fused_bias_kernel<A, T><<<grid, kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(fused_bias)

}  // namespace elubench::gpu_variants
