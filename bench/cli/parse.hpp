// The elubench command line: our flags, parsed and checked before any work. Google Benchmark's
// own `--benchmark_*` flags are set aside untouched and handed to benchmark::Initialize.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
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
  std::vector<float> alpha = {1.0f};      // --alpha list: one row per value for the variants that read it
  float negative_slope = 0.01f;           // Leaky ReLU's slope
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

// One command-line flag, the one place it is described: the usage text and the parser are both
// generated from the table of these (flags()). `apply` puts a given value into Options and
// throws UsageError with one line when it is malformed; a switch gets an empty value.
struct Flag {
  std::string_view name;    // "--sizes"
  std::string_view syntax;  // what its value looks like ("SPEC"); empty for a switch
  std::string_view help;    // the usage text; '\n' starts another line
  void (*apply)(const std::string& value, Options& o);
  std::string_view alias = {};  // another spelling ("-h")
};
// Every flag, in the order of the usage text (and in which the values are applied).
std::span<const Flag> flags();

// Parses argv (argv[0] is the program). Throws UsageError with one line on bad input.
// Checks names against the registry, so `--variant typo` fails here.
Options parse_args(int argc, const char* const* argv);

// argv without the flags named (and their values, whichever spelling: "--out F" or "--out=F"),
// for the command line of a run derived from this one (--gpu all runs one per GPU).
std::vector<std::string> without_flags(const std::vector<std::string>& argv, const std::vector<std::string>& names);

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
