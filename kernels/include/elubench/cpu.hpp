// Facts about the host CPU that results need, answered by the library so that every caller
// reports the same thing.
#pragma once

#include <string>

namespace elubench::cpu {

// The SIMD target Highway's runtime dispatch picks on this machine for the vectorized
// variants, e.g. "AVX3" or "AVX2".
std::string simd_target();
// "model name" from /proc/cpuinfo, or "unknown".
std::string cpu_model();

// Threads the last CPU variant call made on this thread ran on: fewer than RunArgs::threads
// asked for when n is too small to be worth splitting (kernels/cpu/parallel.hpp), 0 when the
// call did not say (reset_last_call_threads() sets 0 before a call). Results record it.
int last_call_threads();
void reset_last_call_threads();

}  // namespace elubench::cpu
