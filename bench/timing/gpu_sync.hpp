// Small CUDA queries for host code, behind a header without CUDA types so that main.cpp (a
// host .cpp with nlohmann/json) never includes cuda_runtime.h. Compiled only when
// ELUBENCH_HAVE_CUDA: callers guard their use with #if ELUBENCH_HAVE_CUDA. The timing itself
// is in gpu_timer.hpp.
#pragma once

#include <string>

namespace elubench::bench {

// Waits for the device and throws (naming the error) if any earlier launch failed.
void gpu_check_sync();

// "3.0.1" from CCCL_VERSION (or CUB_VERSION) as the headers we compiled against say.
std::string cccl_version();

}  // namespace elubench::bench
