// gpu/*/half2 (f16, bf16): the vectorized kernel with the math kept in packed 16-bit
// registers: __half2 / __nv_bfloat162 multiply, fma and compare do two lanes per instruction,
// exp2 is one ex2.approx.f16x2 (bf16x2 on sm_90) per pair, and nothing is widened to float.
// Faster where the float math (not memory) is the limit; less exact (<= 4 ULP, see the body).
#include "bodies/half2.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, class T>
__global__ void __launch_bounds__(kThreads) half2_kernel(Args<T> a) {
  half2_body<A, T>(global_tid(), global_threads(), a);
}

template <Activation A, Dtype D> void half2(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  const unsigned grid = stream_grid(half2_kernel<A, T>, r.n, kVec<T> * kUnroll);
  half2_kernel<A, T><<<grid, kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT(half2, Dtype::f16)
EB_INSTANTIATE_ACT(half2, Dtype::bf16)

}  // namespace elubench::gpu_variants
