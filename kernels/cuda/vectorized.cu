// gpu/*/vectorized: against naive, every access is 16 bytes (4 floats / 8 halves: a quarter or
// an eighth of the memory instructions), each thread keeps kUnroll such loads in flight before
// it computes (latency hidden by the thread itself, not only by occupancy), and the grid is
// one wave of the blocks this kernel keeps resident (occupancy API x SM count) with a
// grid-stride loop, so no block is launched that does not stream. Any alignment (scalar head,
// or scalar fallback when x and y cannot both be aligned) and any n (the last partial step runs
// the same wide code bounds-checked, then a scalar tail under 16 bytes). ELU is the branch-free
// degree-6 polynomial (elu_accurate, the accurate class), not naive's expm1f.
#include "bodies/vectorized.cuh"
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {
using namespace elubench::cuda;

template <Activation A, class T>
__global__ void __launch_bounds__(kThreads) vectorized_kernel(Args<T> a) {
  vectorized_body<A, T>(global_tid(), global_threads(), a);
}

template <Activation A, Dtype D> void vectorized(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  const unsigned grid = stream_grid(vectorized_kernel<A, T>, r.n, kVec<T> * kUnroll);
  vectorized_kernel<A, T><<<grid, kThreads, 0, stream_of(r)>>>(typed<T>(r));
  CUDA_CHECK_LAUNCH();
}

EB_INSTANTIATE_ACT_ALL(vectorized)

}  // namespace elubench::gpu_variants
