// One results row per (variant, n, threads): its shape, what was measured and how it ended. This
// header and results/row_json.cpp are the one home of a row: its fields here, its JSON (written
// and read back) there. results/schema.json is the contract both follow.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.hpp"
#include "elubench/registry.hpp"
#include "results/gpu_record.hpp"

namespace elubench::bench {

struct Stats {
  double median = 0, min = 0, max = 0, mean = 0, stddev = 0;
  std::vector<double> samples;  // seconds per call, one per repetition, in run order
};
// Sample standard deviation (n - 1); 0 for a single sample. Throws on an empty vector.
Stats compute_stats(std::vector<double> samples);

struct AccuracyRecord {
  double max_ulp = 0;        // inf when a NaN was lost or invented
  double max_abs_error = 0;
  std::string tolerance;
  std::size_t checked = 0;
};

// interrupted: the run was stopped (SIGINT/SIGTERM) before the row finished; --resume runs it.
enum class Status { pending, ok, skipped, failed, interrupted };
std::string_view to_string(Status s);
// The inverse of to_string for the statuses a file holds (never "pending").
std::optional<Status> parse_status(std::string_view s);

// Bias length for a bias variant of n elements: the largest power of two <= 1024 dividing n,
// so x is a rows x cols matrix with a realistic channel count.
std::size_t bias_cols(std::size_t n);

struct Row {
  const Variant* variant = nullptr;
  std::size_t n = 0;
  std::optional<int> threads;   // CPU rows: threads asked for (the cell's key)
  // CPU rows: threads the variant really ran on (cpu::last_call_threads() after the checked
  // call): fewer than asked where n is too small to split; empty when the variant did not say.
  std::optional<int> threads_used;
  // Our SIMD rows (cpu::has_target_code): the Highway target their kernel ran on ("AVX3", "AVX2",
  // ...), --simd's or the dispatched one. Empty for naive, the peers and the ceilings, which run
  // their own code whatever the target.
  std::optional<std::string> simd_target;
  std::optional<Cache> cache;   // GPU rows
  Input input = Input::normal;
  // The values of the parameters its activation declares (Variant::params(), in that order).
  ActivationParams params;
  std::optional<std::size_t> cols;  // bias variants
  // Layer rows (variant->is_layer()): y = act(x . w + bias) of this shape; n is y's elements
  // (m * n) and bytes layer_bytes (elubench/layer.hpp).
  std::optional<LayerShape> layer;
  std::size_t bytes = 0;            // bytes_moved(): what one call moves
  bool cache_resident = false;
  std::optional<Stats> time;
  std::optional<AccuracyRecord> accuracy;
  Status status = Status::pending;
  std::string reason;
  // Derived once every row has run (derive_metrics).
  std::optional<double> gbps, elements_per_s, pct_of_ceiling, pct_of_peak;
  // Layer rows, derived once every row has run (results/layer_metrics.hpp): FLOP/s (2 m k n per
  // call), and against rows of the same run with the same device, dtype, shape, threads, params
  // and matmul library: the overhead over the identity layer (t / t_identity - 1, the ceiling)
  // and the cost over ReLU's layer computed the same way (t / t_relu, same variant).
  std::optional<double> flops_per_s, overhead_vs_identity, cost_vs_relu;
  // Layer rows that were checked: the worst element's share of its error bound (<= 1 passes).
  std::optional<double> layer_bound_used;
  // GPU rows that were sampled: the stopping rule's verdict, clocks and throttling.
  std::optional<GpuRowTiming> gpu_timing;

  // "cpu/elu/naive/f32 n=1024 threads=1" (+ " simd=AVX2" for a SIMD row, " alpha=0.5", see params_label);
  // a layer row names its shape: "cpu/elu/layer_onednn_tiled/f32 shape=64x1024x4096 threads=2".
  std::string label() const;
  // The parameters that make this row's work differ from another's with the same variant and
  // shape: " NAME=V" for each parameter its activation declares whose value is not the default
  // (" alpha=0.5"); else empty. Part of the label, so rows that differ only in a parameter stay
  // apart in the journal and --resume.
  std::string params_label() const;
};

// The shortest decimal that reads back as the same float: 0.1f is "0.1", not "0.10000000149011612".
std::string shortest_float(float v);

}  // namespace elubench::bench
