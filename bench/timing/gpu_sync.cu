// The device check after a launch and the CCCL version the build used. No nlohmann/json here: nvcc
// and its headers do not mix well (style guide), so this file only speaks CUDA.
#include <cuda_runtime.h>

#include <cub/version.cuh>
#include <stdexcept>
#include <string>

#include "timing/cuda_call.cuh"
#include "timing/gpu_sync.hpp"

namespace elubench::bench {

void gpu_check_sync() {
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  check(cudaGetLastError(), "kernel launch");
}

std::string cccl_version() {
#if defined(CCCL_VERSION)
  constexpr int v = CCCL_VERSION;  // MMMmmmppp
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
#else
  constexpr int v = CUB_VERSION;  // MMMmmpp
  return std::to_string(v / 100000) + "." + std::to_string(v / 100 % 1000) + "." + std::to_string(v % 100);
#endif
}

}  // namespace elubench::bench
