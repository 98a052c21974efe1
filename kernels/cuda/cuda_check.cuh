// CUDA_CHECK(expr): every CUDA call and launch goes through it. On failure it throws
// std::runtime_error naming the expression, the error and the place, so a benchmark row
// fails with a reason instead of the process dying (BabelStream's CU, as an exception).
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace elubench::gpu {

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* expr, const char* file, int line) {
  throw std::runtime_error(std::string("CUDA error: ") + expr + " failed with " + cudaGetErrorName(err) +
                           " (" + cudaGetErrorString(err) + ") at " + file + ":" + std::to_string(line));
}

}  // namespace elubench::gpu

#define CUDA_CHECK(expr)                                                               \
  do {                                                                                 \
    const cudaError_t eb_err_ = (expr);                                                \
    if (eb_err_ != cudaSuccess) ::elubench::gpu::throw_cuda_error(eb_err_, #expr, __FILE__, __LINE__); \
  } while (0)

// After a <<<...>>> launch: configuration errors surface here, not at the next call.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
