// gpu/copy/memcpy: cudaMemcpyAsync device to device, the driver's own copy: the bandwidth
// ceiling every elementwise kernel is judged against (% of ceiling in the results).
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

namespace {
template <Dtype D> void copy_memcpy_run(const RunArgs& r) {
  if (r.n == 0) return;
  CUDA_CHECK(cudaMemcpyAsync(r.y, r.x, r.n * dtype_size(D), cudaMemcpyDeviceToDevice, cuda::stream_of(r)));
}
}  // namespace

RunFn copy_memcpy(Activation a, Dtype d) {
  return cuda::dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (A == Activation::copy) return &copy_memcpy_run<D>;
    else return nullptr;
  });
}

}  // namespace elubench::gpu_variants
