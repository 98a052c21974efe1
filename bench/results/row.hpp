// One results row per (variant, n, threads), the copy ceilings derived from them, and the
// results JSON (results/schema.json is the contract), written atomically.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cli/parse.hpp"
#include "elubench/gpu.hpp"
#include "elubench/registry.hpp"
#include "timing/stopping_rule.hpp"

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

struct Row {
  const Variant* variant = nullptr;
  std::size_t n = 0;
  std::optional<int> threads;   // CPU rows: threads asked for (the cell's key)
  // CPU rows: threads the variant really ran on (cpu::last_call_threads() after the checked
  // call): fewer than asked where n is too small to split; empty when the variant did not say.
  std::optional<int> threads_used;
  std::optional<Cache> cache;   // GPU rows
  Input input = Input::normal;
  float alpha = 1.0f;
  float negative_slope = 0.01f;
  std::optional<std::size_t> cols;  // bias variants
  std::size_t bytes = 0;            // bytes_moved(): what one call moves
  bool cache_resident = false;
  std::optional<Stats> time;
  std::optional<AccuracyRecord> accuracy;
  Status status = Status::pending;
  std::string reason;
  // Derived once every row has run (derive_metrics).
  std::optional<double> gbps, elements_per_s, pct_of_ceiling, pct_of_peak;
  // GPU rows that were sampled: the stopping rule's verdict, clocks and throttling.
  std::optional<GpuRowTiming> gpu_timing;

  std::string label() const;  // "cpu/elu/naive/f32 n=1024 threads=1" (+ " alpha=0.5", see params_label)
  // The parameters that make this row's work differ from another's with the same variant and
  // shape: " alpha=0.5" for a row whose variant reads alpha, when alpha is not 1 (and
  // " negative_slope=0.2" likewise, when not 0.01); else empty. Part of the label, so rows that
  // differ only in a parameter stay apart in the journal and --resume.
  std::string params_label() const;
  // The activation parameters this row runs with.
  ActivationParams params() const {
    ActivationParams p;
    p.alpha = alpha;
    p.negative_slope = negative_slope;
    return p;
  }
};

// A float parameter as JSON writes it: the shortest decimal that reads back as the same float.
double json_float(float v);

// The row's `params` object: exactly the parameters its variant reads ({"alpha": 0.5} or {}).
nlohmann::json row_params_json(const Row& r);

struct Ceiling {
  Device device;
  Dtype dtype;
  std::size_t n;
  std::optional<int> threads;
  std::string variant;  // full registry name of the fastest copy
  double median_s;
  double gbps;
  std::optional<int> copy_threads;  // the threads that copy ran on, when fewer than the cell's
};

// A ceiling cell: (device, dtype, n, threads), threads 0 on the GPU.
using CellKey = std::tuple<Device, Dtype, std::size_t, int>;
inline CellKey cell_of(const Row& r) { return {r.variant->device, r.variant->dtype, r.n, r.threads.value_or(0)}; }

// A CPU row asked for T threads may run on fewer (cpu::threads_for below 2 x 4096 elements per
// thread; a peer's pool decides for itself), so every copy with up to T threads is within its
// reach: each CPU cell takes the best value of the cells of its (dtype, n) with fewer threads
// when `better(fewer, cell)`, through adopt(cell, fewer). std::map sorts threads last, so the
// previous cell is the one with the next fewer threads, already folded.
template <class V, class Better, class Adopt>
void fold_in_fewer_threads(std::map<CellKey, V>& cells, Better better, Adopt adopt) {
  const std::pair<const CellKey, V>* prev = nullptr;
  for (auto& cell : cells) {
    const auto& [device, dtype, n, threads] = cell.first;
    if (prev && device == Device::cpu && std::get<0>(prev->first) == device && std::get<1>(prev->first) == dtype &&
        std::get<2>(prev->first) == n && better(prev->second, cell.second))
      adopt(cell.second, prev->second);
    prev = &cell;
  }
}

// Fills gbps, elements/s, % of the copy ceiling and % of peak for every ok row, and returns
// the ceilings: the fastest ok copy row per (device, dtype, n, threads). gpu_peak_gbps <= 0
// leaves pct_of_peak null (CPU rows always). Rows still pending become "skipped".
std::vector<Ceiling> derive_metrics(std::vector<Row>& rows, double gpu_peak_gbps);

nlohmann::json row_to_json(const Row& r);
// The GPU timing parts (bench/gpu_timing.cpp): a row's "gpu_timing", and config.gpu_timing.
nlohmann::json gpu_row_timing_to_json(const GpuRowTiming& t);
nlohmann::json gpu_timing_setup_to_json(const GpuTimingSetup& s);
nlohmann::json ceiling_to_json(const Ceiling& c);

// What the document says about the run besides its rows and ceilings. make_document writes
// every block from it (tool, host, gpu, build, config): nothing else assembles the document.
struct RunInfo {
  std::string created_utc;                    // ISO 8601, e.g. 2026-01-01T00:00:00Z
  std::string hostname;
  int cores = 1;                              // hardware threads of the host
  std::optional<gpu::Info> gpu;               // the GPU the rows ran on; nullopt: "gpu": null
  Options options;                            // the run's options (--resume: the recorded ones)
  std::vector<std::string> argv;              // the run's own command line, for --resume
  std::optional<GpuTimingSetup> gpu_timing;   // how GPU rows were timed; nullopt: none ran
};

// The whole results document (results/schema.json).
nlohmann::json make_document(const RunInfo& info, const std::vector<Ceiling>& ceilings, const std::vector<Row>& rows);

// "results/<hostname>-<UTC time>.json" under dir, with "-2", "-3"... when that name exists,
// so repeated runs never collide.
std::string default_out_path(const std::string& dir, const std::string& hostname, const std::string& utc_compact);

// Refuses (UsageError) an existing path unless force, and a directory that does not exist.
// Called before any work so that a bad --out costs nothing.
void check_out_path(const std::string& path, bool force);

// Writes text to a temporary file in path's directory, flushes it, then moves it into place:
// rename() with force, link() without (fails if path appeared meanwhile, so nothing is ever
// overwritten silently). Readers never see a half-written file. Throws std::runtime_error.
void write_atomically(const std::string& path, const std::string& text, bool force);

}  // namespace elubench::bench
