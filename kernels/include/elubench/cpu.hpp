// Facts about the host CPU that results need, answered by the library so that every caller
// reports the same thing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::cpu {

// The SIMD target Highway's runtime dispatch picks on this machine for the vectorized
// variants, e.g. "AVX3" or "AVX2". The environment variable ELUBENCH_SIMD_TARGET (one of
// simd_targets()) caps it for the whole process, so that an AVX-512 machine can run and report
// its AVX2 path; a name this CPU or build lacks makes the registry throw.
std::string simd_target();
// The SIMD targets this build has code for and this CPU runs, best first, by Highway's names
// ("AVX3", "AVX2", "SSE4", "SSSE3", "SCALAR"): each one the path of some CPU.
std::vector<std::string> simd_targets();
// The kernel of our CPU row v compiled for `target` (one of simd_targets()): what a CPU whose
// best target that is runs. Rows without per-target code (naive) give their one kernel. Throws
// std::invalid_argument for another target or for a row that is not one of our CPU families.
RunFn kernel_for_target(const Variant& v, std::string_view target);
// Whether our CPU row v has code per SIMD target (our Highway families; not naive, peers or ceilings,
// which run what they run whatever the target).
bool has_target_code(const Variant& v);
// v as a CPU whose best target is `target` runs it: kernel_for_target's kernel, and the description
// naming the expm1 form of that target. Throws as kernel_for_target does.
Variant variant_for_target(const Variant& v, std::string_view target);
// Whether `name` is one of Highway's target names, for any CPU ("AVX3", "SSE4", "NEON", ...): tells
// a misspelled target from one this CPU lacks.
bool is_simd_target_name(std::string_view name);
// "model name" from /proc/cpuinfo, or "unknown".
std::string cpu_model();

// Threads the last CPU variant call made on this thread ran on: fewer than RunArgs::threads
// asked for when n is too small to be worth splitting (kernels/cpu/parallel.hpp), 0 when the
// call did not say (reset_last_call_threads() sets 0 before a call). Results record it.
int last_call_threads();
void reset_last_call_threads();

}  // namespace elubench::cpu
