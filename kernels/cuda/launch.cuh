// Launch helpers shared by the kernel files (device side only; bodies stay launch-agnostic).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "bodies/common.cuh"
#include "cuda_check.cuh"

namespace elubench::cuda {

inline constexpr int kThreads = 256;
// 2048 resident threads per SM on sm_80/sm_90 / 256 per block: a grid of 8 blocks per SM fills
// the machine once; more blocks would only add scheduling, the bodies loop over the rest.
inline constexpr int kBlocksPerSm = 2048 / kThreads;

// SM count of the current device, queried once per device (cudaDeviceGetAttribute costs
// microseconds, which would show in the timing of small sizes).
int sm_count();

__device__ __forceinline__ std::size_t global_tid() {
  return static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ std::size_t global_threads() {
  return static_cast<std::size_t>(gridDim.x) * blockDim.x;
}

inline cudaStream_t stream_of(const RunArgs& a) { return static_cast<cudaStream_t>(a.stream); }

// Blocks for one thread per `per_thread` elements, at most one full wave of resident blocks.
inline unsigned stream_grid(std::size_t n, std::size_t per_thread) {
  const std::size_t threads = (n + per_thread - 1) / per_thread;
  const std::size_t blocks = (threads + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::clamp<std::size_t>(blocks, 1, std::size_t(sm_count()) * kBlocksPerSm));
}

// Blocks for one element per thread (naive), capped by the grid limit; the body loops past it.
inline unsigned one_per_thread_grid(std::size_t n) {
  return static_cast<unsigned>(std::clamp<std::size_t>((n + kThreads - 1) / kThreads, 1, 0x7fffffff));
}

}  // namespace elubench::cuda
