// The bench's CUDA error check for its .cu files: a failed call
// throws, naming the call and CUDA's error, and the row that made it is failed with that reason.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace elubench::bench {

inline void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error: ") + what + " failed with " + cudaGetErrorName(err) + " (" +
                             cudaGetErrorString(err) + ")");
}

}  // namespace elubench::bench
