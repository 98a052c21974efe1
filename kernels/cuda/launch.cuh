// Launch helpers shared by the kernel files (device side only; bodies stay launch-agnostic).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "bodies/common.cuh"
#include "cuda_check.cuh"

namespace elubench::cuda {

inline constexpr int kThreads = 256;

// SM count of the current device, queried once per device (cudaDeviceGetAttribute costs
// microseconds, which would show in the timing of small sizes).
int sm_count();

// Blocks of kThreads that one SM keeps resident for `kernel` (cudaOccupancyMaxActiveBlocks-
// PerMultiprocessor: registers, shared memory, the thread limit), cached per device and kernel.
// The kernels use 32-64 registers, so this is 4-8, not always 8: a grid of SMs x 8 left 1.3-2
// waves, the last one a tail with idle SMs (issue 8).
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

}  // namespace elubench::cuda
