// gpu/*/cub: cub::DeviceTransform::Transform (CCCL >= 2.8) with our float-math functor (the
// trait's forward on AccurateMath): the library's own streaming machinery (on sm_90 the
// bulk-copy/TMA path, ~48 KiB in flight per SM) around the same math as vectorized, so the
// difference is the memory pipeline alone. Every forward activation; none where the CCCL is older
// (cccl_features.cuh).
#include <cstdint>
#include <string>

#include "cccl_features.cuh"
#if ELUBENCH_CCCL_HAS_DEVICE_TRANSFORM
#include <cub/device/device_transform.cuh>
#endif

#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

#if ELUBENCH_CCCL_HAS_DEVICE_TRANSFORM
namespace {
template <Activation A, Dtype D> void cub_run(const RunArgs& r) {
  using T = cuda::storage_t<D>;
  using Op = cuda::ForwardOp<trait_t<A>, AccurateMath>;
  if (r.n == 0) return;
  const cuda::Args<T> a = cuda::typed<T>(r);
  CUDA_CHECK(cub::DeviceTransform::Transform(a.x, a.y, static_cast<std::int64_t>(a.n),
                                             cuda::StorageFunctor<T, Op>{Op{a.params}}, cuda::stream_of(r)));
  CUDA_CHECK_LAUNCH();
}
}  // namespace

RunFn cub_transform(Activation a, Dtype d) {
  return cuda::dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (cuda::is_forward_act<A>) return &cub_run<A, D>;
    else return nullptr;
  });
}
std::string cub_transform_left_out() { return ""; }
#else
RunFn cub_transform(Activation, Dtype) { return nullptr; }
std::string cub_transform_left_out() { return cuda::left_out_for("cub::DeviceTransform (CCCL >= 2.8)"); }
#endif

}  // namespace elubench::gpu_variants
