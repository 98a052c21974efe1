// CUDA events for GpuClock and the CCCL version the build used. No nlohmann/json here: nvcc
// and its headers do not mix well (style guide), so this file only speaks CUDA.
#include <cuda_runtime.h>

#include <cub/version.cuh>
#include <stdexcept>
#include <string>

#include "gpu_clock.hpp"

namespace elubench::bench {

namespace {
void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error: ") + what + " failed with " + cudaGetErrorName(err) + " (" +
                             cudaGetErrorString(err) + ")");
}
}  // namespace

GpuClock::GpuClock() {
  cudaEvent_t a = nullptr, b = nullptr;
  check(cudaEventCreate(&a), "cudaEventCreate");
  if (const cudaError_t err = cudaEventCreate(&b); err != cudaSuccess) {
    cudaEventDestroy(a);
    check(err, "cudaEventCreate");
  }
  start_ = a;
  stop_ = b;
}

GpuClock::~GpuClock() {
  if (start_) cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  if (stop_) cudaEventDestroy(static_cast<cudaEvent_t>(stop_));
}

void GpuClock::start() { check(cudaEventRecord(static_cast<cudaEvent_t>(start_), nullptr), "cudaEventRecord(start)"); }

double GpuClock::stop() {
  check(cudaEventRecord(static_cast<cudaEvent_t>(stop_), nullptr), "cudaEventRecord(stop)");
  check(cudaEventSynchronize(static_cast<cudaEvent_t>(stop_)), "cudaEventSynchronize(stop)");
  // A failed launch between the events shows up here rather than as a plausible time.
  check(cudaGetLastError(), "kernel launch");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start_), static_cast<cudaEvent_t>(stop_)),
        "cudaEventElapsedTime");
  return static_cast<double>(ms) * 1e-3;
}

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
