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

}  // namespace elubench::cpu
