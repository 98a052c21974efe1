// Launch helpers shared by the kernel files (device side only; bodies stay launch-agnostic):
// the one __global__ template every body runs in, and a family's run function and lookup.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "cuda_check.cuh"
#include "families.cuh"

namespace elubench::cuda {

inline constexpr int kThreads = 256;

// SM count of the current device, queried once per device (cudaDeviceGetAttribute costs
// microseconds, which would show in the timing of small sizes).
int sm_count();

// Blocks of kThreads that one SM keeps resident for `kernel` (cudaOccupancyMaxActiveBlocks-
// PerMultiprocessor: registers, shared memory, the thread limit), cached per device and kernel.
// The kernels use 32-64 registers, so this is 4-8, not always 8: a grid of SMs x 8 would leave
// 1.3-2 waves, the last one a tail with idle SMs.
int resident_blocks(const void* kernel);

__device__ __forceinline__ std::size_t global_tid() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::size_t global_threads() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

inline cudaStream_t stream_of(const RunArgs& a) { return static_cast<cudaStream_t>(a.stream); }

// Blocks for one thread per `per_thread` elements, at most one full wave of resident blocks of
// this kernel: every block launched streams, the bodies' grid-stride loop covers the rest.
template <class Kernel>
unsigned stream_grid(Kernel* kernel, std::size_t n, std::size_t per_thread) {
  const std::size_t threads = (n + per_thread - 1) / per_thread;
  const std::size_t blocks = (threads + kThreads - 1) / kThreads;
  const std::size_t wave = std::size_t(sm_count()) * resident_blocks(reinterpret_cast<const void*>(kernel));
  return static_cast<unsigned>(std::clamp<std::size_t>(blocks, 1, wave));
}

// Blocks for one element per thread (naive), capped by the grid limit; the body loops past it.
inline unsigned one_per_thread_grid(std::size_t n) {
  return static_cast<unsigned>(std::clamp<std::size_t>((n + kThreads - 1) / kThreads, 1, 0x7fffffff));
}

// Every kernel of ours: one body over the whole grid. Its symbol names the body and the
// activation (kernel<vectorized<act::elu>, __half>); scripts/sass_table.py reads them from there.
// Blocks per SM a body asks ptxas to keep room for (0: ptxas's default, which caps these kernels
// at 64 registers).
template <class Body> constexpr int min_blocks() {
  if constexpr (requires { Body::kMinBlocks; }) return Body::kMinBlocks;
  else return 0;
}
template <class Body, class T>
__global__ void __launch_bounds__(kThreads, min_blocks<Body>()) kernel(Args<T> a) {
  Body::run(global_tid(), global_threads(), a);
}

template <class Body, class T> void launch(const Args<T>& a, cudaStream_t stream) {
  const unsigned grid = Body::kStreams ? stream_grid(kernel<Body, T>, a.n, kVec<T> * kUnroll) : one_per_thread_grid(a.n);
  kernel<Body, T><<<grid, kThreads, 0, stream>>>(a);
  CUDA_CHECK_LAUNCH();
}

// A family's run function for (A, D): its bodies launched in order on the call's stream. The
// arguments were checked by Variant::run (bias shape, dy).
template <class Family, Activation A, Dtype D> void run_family(const RunArgs& r) {
  using T = storage_t<D>;
  if (r.n == 0) return;
  const Args<T> a = typed<T>(r);
  [&]<class... Body>(Bodies<Body...>) { (launch<Body>(a, stream_of(r)), ...); }(typename Family::template bodies<A>{});
}

// The registry's KernelLookup of a family: run_family<Family, A, D> where the family has the
// pair, nullptr elsewhere; only the pairs it has are instantiated.
template <class Family> RunFn family_lookup(Activation a, Dtype d) {
  return dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (Family::template has<A, D>) return &run_family<Family, A, D>;
    else return nullptr;
  });
}

}  // namespace elubench::cuda
