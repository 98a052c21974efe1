// The elubench command line: our flags, parsed and checked before any work. Google Benchmark's
// own `--benchmark_*` flags are set aside untouched and handed to benchmark::Initialize.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::bench {

// Thrown for any bad input; main prints "elubench: <what>" and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Input { normal, negative, positive };
enum class Cache { cold, hot };
std::string_view to_string(Input i);
std::string_view to_string(Cache c);

struct Options {
  std::vector<Device> devices;            // empty: every device the build has (GPU rows skipped if absent)
  std::vector<Activation> activations;    // empty: all
  std::vector<std::string> variants;      // empty: all (the third part of a registry name)
  std::vector<Dtype> dtypes;              // empty: all
  std::vector<std::size_t> sizes;         // empty: the per-device defaults
  float alpha = 1.0f;
  Input input = Input::normal;
  Cache cache = Cache::cold;
  std::vector<int> threads;               // empty: 1 and all cores; 0 stands for "all"
  int repetitions = 10;
  std::optional<int> gpu;                 // nullopt: device 0; -1: all
  std::string out;                        // empty: results/<hostname>-<UTC time>.json
  bool force = false;
  std::string resume;                     // --resume FILE: complete the run FILE records
  bool list = false;
  bool quick = false;
  bool help = false;
  // GPU stopping rule (bench/gpu_timing.hpp, gpu_stop_rule); nullopt: the defaults.
  std::optional<double> gpu_stdrel_pct, gpu_max_time_s;
  std::optional<int> gpu_min_samples, gpu_max_samples;
  std::vector<std::string> benchmark_args;  // --benchmark_* flags, passed through verbatim
  std::string command_line;
};

// Parses argv (argv[0] is the program). Throws UsageError with one line on bad input.
// Checks names against the registry, so `--variant typo` fails here.
Options parse_args(int argc, const char* const* argv);

// "1024", "2^20", comma lists of those, and the range "2^10:2^28:x4" (start, end, factor).
// Every size is >= 1. Throws UsageError.
std::vector<std::size_t> parse_sizes(const std::string& spec);

// The sizes a device runs when --sizes is not given (GPU 2^10..2^28, CPU 2^10..2^26, x4;
// --quick: 2^12, 2^16, 2^20).
std::vector<std::size_t> default_sizes(Device d, bool quick);

// Thread counts for CPU rows: the --threads list with "all" resolved, duplicates removed.
std::vector<int> resolve_threads(const Options& o, int hardware_threads);

std::string usage();

}  // namespace elubench::bench
