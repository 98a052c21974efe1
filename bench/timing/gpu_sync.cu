// No nlohmann/json here: nvcc and its headers do not mix well, so this file only speaks CUDA.
#include <cuda_runtime.h>

#include "timing/cuda_call.cuh"
#include "timing/gpu_sync.hpp"

namespace elubench::bench {

void gpu_check_sync() {
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  check(cudaGetLastError(), "kernel launch");
}

}  // namespace elubench::bench
