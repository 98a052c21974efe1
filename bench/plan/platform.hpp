// What the run knows about where it runs, decided before any row is built.
#pragma once

#include <cstddef>
#include <string>

#include "elubench/gpu.hpp"

namespace elubench::bench {

struct Platform {
  int hardware_threads = 1;
  std::size_t cpu_llc_bytes = 0;   // last-level cache; 0 if unknown
  bool gpu_usable = false;
  std::string gpu_reason;          // why GPU rows are skipped when !gpu_usable
  gpu::Info gpu;                   // valid when gpu_usable
};

// Largest cache size sysfs reports for cpu0 (the last-level cache), else sysconf, else 0.
std::size_t cpu_last_level_cache_bytes();

// The host's physical memory in bytes.
std::size_t physical_memory();

}  // namespace elubench::bench
