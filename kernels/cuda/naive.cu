// gpu/*/naive: one element per thread, scalar loads and stores, f16/bf16 computed in float
// with expm1f. What a first CUDA kernel looks like; every other variant is measured against it.
#include "bodies/naive.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, class T>
__global__ void __launch_bounds__(kThreads) naive_kernel(Args<T> a) {
  naive_body<A, T>(global_tid(), global_threads(), a);
}

template <Activation A, Dtype D> void naive(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  naive_kernel<A, T><<<one_per_thread_grid(r.n), kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(naive)

}  // namespace elubench::gpu_variants
