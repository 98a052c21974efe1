// gpu/*/thrust: thrust::transform on par_nosync (no synchronization after the call, like a
// plain launch) with the functor wrapped in cuda::proclaim_copyable_arguments: the promise
// that it does not depend on argument addresses lets Thrust dispatch to cub::DeviceTransform's
// prefetching/bulk-copy path instead of its generic for_each.
#include <thrust/execution_policy.h>
#include <thrust/transform.h>

#include <cuda/functional>

#include "bodies/common.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, Dtype D> void thrust_transform(const RunArgs& r) {
  using T = storage_t<D>;
  using Op = typename ActOp<A>::type;
  if (r.n == 0) return;
  const Args<T> a = typed<T>(r);
  // thrust reports failures by throwing thrust::system_error (a std::runtime_error).
  thrust::transform(thrust::cuda::par_nosync.on(stream_of(r)), a.x, a.x + a.n, a.y,
                    ::cuda::proclaim_copyable_arguments(StorageFunctor<T, Op>{make_op<A>(a.alpha)}));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(thrust_transform)

}  // namespace elubench::gpu_variants
