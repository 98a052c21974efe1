// What a run was asked to do: Options, filled by the parser (cli/parse.hpp) or read back from a
// run being resumed. Results, timing and planning read it through this header alone, without the
// parser.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
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
// The inverse of to_string; nullopt for a word that names none (the caller says where it was).
std::optional<Input> parse_input(std::string_view s);
std::optional<Cache> parse_cache(std::string_view s);

// --param NAME=V[,V...] (or an alias such as --alpha): the values one activation parameter takes.
// A variant runs one row per combination of the values of the parameters its activation declares.
struct ParamValues {
  std::string name;
  std::vector<float> values;  // distinct, in the order given
};

struct Options {
  std::vector<Device> devices;            // empty: every device the build has (GPU rows skipped if absent)
  std::vector<Activation> activations;    // empty: all
  std::vector<std::string> variants;      // empty: all (the third part of a registry name)
  std::vector<Dtype> dtypes;              // empty: all
  std::vector<std::size_t> sizes;         // empty: the per-device defaults
  // --layers: the run times layer rows (matmul + bias + activation, elubench/layer.hpp) instead
  // of elementwise rows, at layer_shapes (empty: the device's default layer suite).
  bool layers = false;
  std::vector<LayerShape> layer_shapes;
  std::vector<ParamValues> params;        // --param lists; a parameter not named runs at its default
  Input input = Input::normal;
  Cache cache = Cache::cold;
  std::vector<int> threads;               // empty: 1 and all cores; 0 stands for "all"
  // --simd: Highway target names ("AVX3", "AVX2", ...), best first; our SIMD rows run once on each
  // (cpu::variant_for_target). Empty: once, on the target the dispatch picks.
  std::vector<std::string> simd_targets;
  int repetitions = 10;
  std::optional<int> gpu;                 // nullopt: device 0; -1: all
  std::string out;                        // empty: results/<hostname>-<UTC time>.json
  bool force = false;
  std::string resume;                     // --resume FILE: complete the run FILE records
  bool list = false;
  bool quick = false;
  bool full = false;                      // every registered variant at every default size, not the suite
  bool help = false;
  // GPU stopping rule (timing/stopping_rule.hpp, gpu_stop_rule); nullopt: the defaults.
  std::optional<double> gpu_stdrel_pct, gpu_max_time_s;
  std::optional<int> gpu_min_samples, gpu_max_samples;
  std::vector<std::string> benchmark_args;  // --benchmark_* flags, passed through verbatim
  std::string command_line;
};

// Where the run's rows come from, as the results' config.suite records it: "default" (the
// default suite, plan/suite.hpp: no --full, no --quick and none of --activation, --variant,
// --dtype, --sizes), "full" (--full), "quick" (--quick), "layers" (--layers: layer rows, not
// elementwise ones) or "selected" (those flags select from the whole registry).
std::string_view suite_of(const Options& o);
// The values a run gives the parameter `spec`: the --param list that names it, else its default.
std::vector<float> param_values(const Options& o, const ParamSpec& spec);
// Every combination of the values of `specs` (an activation's parameters), first parameter
// slowest; a single ActivationParams{} (no values) where specs is empty.
std::vector<ActivationParams> param_combinations(const Options& o, std::span<const ParamSpec> specs);

}  // namespace elubench::bench
