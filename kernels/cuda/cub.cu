// gpu/*/cub: cub::DeviceTransform::Transform (CCCL 3.0) with our float-math functor: the
// library's own streaming machinery (on sm_90 the bulk-copy/TMA path, ~48 KiB in flight per
// SM) around the same math as vectorized, so the difference is the memory pipeline alone.
#include <cub/device/device_transform.cuh>

#include <cstdint>

#include "bodies/common.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, Dtype D> void cub_transform(const RunArgs& r) {
  using T = storage_t<D>;
  using Op = typename ActOp<A>::type;
  if (r.n == 0) return;
  const Args<T> a = typed<T>(r);
  CUDA_CHECK(cub::DeviceTransform::Transform(a.x, a.y, static_cast<std::int64_t>(a.n),
                                             StorageFunctor<T, Op>{make_op<A>(a.alpha)}, stream_of(r)));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(cub_transform)

}  // namespace elubench::gpu_variants
