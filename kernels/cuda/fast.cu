// gpu/elu/fast: the vectorized kernel with expm1f replaced by elu_fast (exp2 from exponent bits
// and a degree-6 polynomial, expm1 rebuilt as (s - 1) + s*t*(1 + p) so nothing cancels near 0,
// saturation at -alpha). About half the instructions of expm1f, <= 4 ULP. ELU only: ReLU has no
// exponential to approximate. f16/bf16 too: their float math is the same, and the cheaper
// exponential matters most where 16-bit storage halves the memory time.
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
  fast_kernel<T><<<stream_grid(r.n, kVec<T> * kUnroll), kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_DTYPE_ALL(fast_elu)

}  // namespace elubench::gpu_variants
