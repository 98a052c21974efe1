// CUDA-event timing for the GPU rows, behind a header without CUDA types so that main.cpp (a
// host .cpp with nlohmann/json) never includes cuda_runtime.h. Compiled only when
// ELUBENCH_HAVE_CUDA: callers guard their use with #if ELUBENCH_HAVE_CUDA.
#pragma once

#include <string>

namespace elubench::bench {

// A start/stop event pair on the default stream (where the variants launch with
// RunArgs::stream = nullptr and where gpu::memset runs the L2 flush).
class GpuClock {
 public:
  GpuClock();
  ~GpuClock();
  GpuClock(const GpuClock&) = delete;
  GpuClock& operator=(const GpuClock&) = delete;
  void start();
  // Records stop, waits for it and returns the seconds between the two events.
  double stop();

 private:
  void* start_ = nullptr;
  void* stop_ = nullptr;
};

// Waits for the device and throws (naming the error) if any earlier launch failed.
void gpu_check_sync();

// "3.0.1" from CCCL_VERSION (or CUB_VERSION) as the headers we compiled against say.
std::string cccl_version();

}  // namespace elubench::bench
