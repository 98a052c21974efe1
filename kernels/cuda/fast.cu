// gpu/elu/fast: the vectorized kernel with the degree-6 polynomial replaced by elu_fast's
// degree 5 (exp2 from exponent bits, expm1 rebuilt as (s - 1) + s*t*(1 + p) so nothing cancels
// near 0, saturation at -alpha, branch-free). Since vectorized left expm1f for the same
// polynomial scheme the gap is one FMA per element (the SASS table in the README); <= 4 ULP.
// ELU only: ReLU has no exponential to approximate. f16/bf16 too: their float math is the same.
#include "bodies/fast.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <class T>
__global__ void __launch_bounds__(kThreads) fast_kernel(Args<T> a) {
  fast_body<T>(global_tid(), global_threads(), a);
}

template <Dtype D> void fast_elu(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  const unsigned grid = stream_grid(fast_kernel<T>, r.n, kVec<T> * kUnroll);
  fast_kernel<T><<<grid, kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_DTYPE_ALL(fast_elu)

}  // namespace elubench::gpu_variants
