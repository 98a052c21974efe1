// gpu/copy/vectorized: the vectorized kernel's exact access pattern with no math: the ceiling
// our own kernels can reach. Compared with gpu/copy/memcpy (the driver's copy engine path) it
// shows how much of the roofline the access pattern itself gives away.
#include "bodies/copy.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <class T>
__global__ void __launch_bounds__(kThreads) copy_kernel(Args<T> a) {
  copy_body<T>(global_tid(), global_threads(), a);
}

template <Dtype D> void copy_vectorized(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  const unsigned grid = stream_grid(copy_kernel<T>, r.n, kVec<T> * kUnroll);
  copy_kernel<T><<<grid, kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_DTYPE_ALL(copy_vectorized)

}  // namespace elubench::gpu_variants
