// The device check every GPU call of the bench ends with, behind a header without CUDA types so
// that host .cpp files with nlohmann/json never include cuda_runtime.h. Compiled only when
// ELUBENCH_HAVE_CUDA: callers guard their use with #if ELUBENCH_HAVE_CUDA.
#pragma once

namespace elubench::bench {

// Waits for the device and throws (naming the error) if any earlier launch failed.
void gpu_check_sync();

}  // namespace elubench::bench
