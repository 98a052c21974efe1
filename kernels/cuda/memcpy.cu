// gpu/copy/memcpy: cudaMemcpyAsync device to device, the driver's own copy: the bandwidth
// ceiling every elementwise kernel is judged against (% of ceiling in the results).
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Dtype D> void copy_memcpy(const RunArgs& r) {
  if (r.n == 0) return;
  CUDA_CHECK(cudaMemcpyAsync(r.y, r.x, r.n * dtype_size(D), cudaMemcpyDeviceToDevice, stream_of(r)));
}

EB_INSTANTIATE_DTYPE_ALL(copy_memcpy)

}  // namespace elubench::gpu_variants
