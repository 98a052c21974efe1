// gpu/*/bias_then_act: the unfused pair a framework runs for Linear + ELU without fusion:
// a bias-add kernel writes y = x + b, then the activation kernel rewrites y in place. Both are
// the vectorized kernel's pattern, so against fused_bias the only difference is the second
// pass over memory (4 accesses per element instead of 2) and the rounding of x + b to the
// storage type in between.
#include "bodies/bias_then_act.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <class T>
__global__ void __launch_bounds__(kThreads) bias_add_kernel(Args<T> a) {
  bias_add_body<T>(global_tid(), global_threads(), a);
}
template <Activation A, class T>
__global__ void __launch_bounds__(kThreads) act_in_place_kernel(Args<T> a) {
  act_in_place_body<A, T>(global_tid(), global_threads(), a);
}

template <Activation A, Dtype D> void bias_then_act(const RunArgs& r) {
  using T = storage_t<D>;
  check_bias_shape(r, "gpu bias_then_act");
  if (r.n == 0) return;
  const Args<T> a = typed<T>(r);
  const std::size_t per_thread = kVec<T> * kUnroll;
  bias_add_kernel<T><<<stream_grid(bias_add_kernel<T>, r.n, per_thread), kThreads, 0, stream_of(r)>>>(a);
  CUDA_CHECK_LAUNCH();
  act_in_place_kernel<A, T><<<stream_grid(act_in_place_kernel<A, T>, r.n, per_thread), kThreads, 0, stream_of(r)>>>(a);
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(bias_then_act)

}  // namespace elubench::gpu_variants
