// gpu/*/thrust: thrust::transform on par_nosync (no synchronization after the call, like a
// plain launch) with the functor wrapped in cuda::proclaim_copyable_arguments: the promise
// that it does not depend on argument addresses lets Thrust dispatch to cub::DeviceTransform's
// prefetching/bulk-copy path instead of its generic for_each. The functor is the trait's
// forward on AccurateMath, as in cub and vectorized. Every forward activation; none where the
// CCCL is older than that promise (cccl_features.cuh says why).
#include <string>

#include "cccl_features.cuh"
#if ELUBENCH_CCCL_HAS_PROCLAIM_COPYABLE
#include <thrust/execution_policy.h>
#include <thrust/transform.h>

#include <cuda/functional>
#endif

#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

#if ELUBENCH_CCCL_HAS_PROCLAIM_COPYABLE
namespace {
template <Activation A, Dtype D> void thrust_run(const RunArgs& r) {
  using T = cuda::storage_t<D>;
  using Op = cuda::ForwardOp<trait_t<A>, AccurateMath>;
  if (r.n == 0) return;
  const cuda::Args<T> a = cuda::typed<T>(r);
  // thrust reports failures by throwing thrust::system_error (a std::runtime_error).
  thrust::transform(thrust::cuda::par_nosync.on(cuda::stream_of(r)), a.x, a.x + a.n, a.y,
                    ::cuda::proclaim_copyable_arguments(cuda::StorageFunctor<T, Op>{Op{a.params}}));
  CUDA_CHECK_LAUNCH();
}
}  // namespace

RunFn thrust_transform(Activation a, Dtype d) {
  return cuda::dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (cuda::is_forward_act<A>) return &thrust_run<A, D>;
    else return nullptr;
  });
}
std::string thrust_transform_left_out() { return ""; }
#else
RunFn thrust_transform(Activation, Dtype) { return nullptr; }
std::string thrust_transform_left_out() {
  return cuda::left_out_for("cuda::proclaim_copyable_arguments, without which thrust::transform takes its generic "
                            "path instead of cub::DeviceTransform's (CCCL >= 2.8)");
}
#endif

}  // namespace elubench::gpu_variants
