// The default suite: the rows `elubench` runs when no flag asks for a particular selection. It
// is chosen to answer the question in minutes (CPU <= 10 min on 2 cores, GPU <= 10 min on one
// GPU): ELU and ReLU first, the best of ours and the peers over sizes from cache to DRAM, then
// the 16-bit types, the bias epilogue, naive code at a few sizes, the other activations and the
// backward passes at the sizes that show their cost. `--full` (or any of --activation,
// --variant, --dtype, --sizes) selects from the whole registry at every default size instead.
//
// Whether a run uses it: suite_of(options) == "default" (cli/options.hpp). --device and
// --threads still apply (--threads replaces the parts' thread counts), and so does --alpha.
// The suite is one table (suite.cpp), read top to bottom; rows come in the order of its parts.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "cli/options.hpp"

namespace elubench::bench {

enum class SuiteThreads { one, all, both };  // CPU rows: 1 thread, every core, or both

struct SuitePart {
  std::string_view answers;                   // what this part of the suite is for, one line
  std::vector<std::string_view> activations;  // registry names; empty: every forward activation
  std::vector<std::string_view> variants;     // the third part of a registry name
  std::vector<std::string_view> dtypes;       // f32, f16, bf16
  std::vector<int> cpu_log2_sizes;            // n = 2^k elements
  std::vector<int> gpu_log2_sizes;
  SuiteThreads threads = SuiteThreads::one;
};

std::span<const SuitePart> default_suite();

// Whether the part selects the registry variant (its activation, variant and dtype; the sizes
// are the caller's).
bool part_selects(const SuitePart& part, const Variant& v);

// The part's sizes for a device, in elements.
std::vector<std::size_t> part_sizes(const SuitePart& part, Device d);

// The part's CPU thread counts: given (--threads, resolved, in order) or its own, resolved
// against the hardware threads.
std::vector<int> part_threads(const SuitePart& part, const std::vector<int>& given, int hardware_threads);

}  // namespace elubench::bench
