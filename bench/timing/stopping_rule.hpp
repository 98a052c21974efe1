// The host-side rules of GPU timing, kept free of CUDA and NVML so that the tests run them on
// any machine: when a row stops sampling (nvbench's `stdrel` criterion, on the relative standard
// error of the mean), how many launches make one hot sample, how large the cub/thrust warm-up
// is, and when a row's clocks or throttle reasons make its numbers suspect.
// The CUDA side (bench/gpu_timer.cu) and NVML (bench/nvml.cpp) feed these functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/parse.hpp"
#include "elubench/registry.hpp"

namespace elubench::bench {

// ---- Stopping rule ------------------------------------------------------------------------

struct StopRule {
  double stdrel = 0.005;    // target relative standard error of the mean (0.5%)
  int min_samples = 10;     // never stop on stdrel before this many
  int max_samples = 10000;  // hard cap on the count
  double max_time_s = 0.5;  // wall-time cap per row (sampling only, not preparation)
};
enum class StopReason { stdrel, max_time, max_samples };
// The rule the command line asks for: its --gpu-* flags over the defaults (--quick caps a row
// at 0.05 s so that the CI smoke stays short).
StopRule gpu_stop_rule(const Options& o);
std::string_view to_string(StopReason r);

// Running mean and variance (Welford: no cancellation for samples of a few µs) and the verdict
// after each sample. Priority when several hold at once: stdrel (the precision was reached),
// then max_samples, then max_time. max_time applies from the first sample on: a row whose
// single sample outlasts the cap stops there rather than stretching the run.
class Stopper {
 public:
  explicit Stopper(StopRule rule) : rule_(rule) {}
  // One sample (seconds per call) taken `elapsed_s` wall seconds after sampling began.
  std::optional<StopReason> add(double sample_s, double elapsed_s);
  // stddev / (mean * sqrt(k)); +inf below two samples or when the mean is not positive.
  double relative_standard_error() const;
  int count() const { return count_; }

 private:
  StopRule rule_;
  int count_ = 0;
  double mean_ = 0, m2_ = 0;
};

struct SamplingOutcome {
  std::vector<double> samples;  // seconds per call, in the order taken
  StopReason stop_reason = StopReason::max_samples;
  double relative_standard_error = 0;
};

// The sampling loop, independent of what a sample is: calls take() until the rule stops it,
// and between() after every sample (outside any timed region: clock readings go there).
// now() is a monotonic clock in seconds (injectable for tests).
SamplingOutcome sample_until_stop(const StopRule& rule, const std::function<double()>& take,
                                  const std::function<void()>& between, const std::function<double()>& now);

// ---- Hot mode and warm-up -----------------------------------------------------------------

// Calls per hot sample: the fewest that make one sample last at least min_sample_s given one
// call's time, between 1 and max_batch (the blocked stream queues every launch of a sample; too
// many would fill the launch queue while the blocking kernel waits for the host).
int hot_batch(double one_call_s, double min_sample_s, int max_batch);

// Elements for the cub/thrust warm-up: at least 2^26 and at least the run's largest size, halved
// until `tensors` buffers of 4-byte elements (x and y, and dy when a backward is warmed) fit in
// half of the free device memory; 0 when not even 2^20 fits (then there is no warm-up, and the
// JSON says so).
std::size_t warmup_elements(std::size_t largest_n, std::size_t free_bytes, int tensors = 2);

// The device buffers every variant is warmed with: x, y and dy of n 4-byte elements (zeros; a
// 16-bit variant reads the first half), and a bias of warmup_bias_cols(n) elements.
struct WarmupBuffers {
  const void* x = nullptr;
  void* y = nullptr;
  const void* grad = nullptr;  // null when no backward variant is warmed
  const void* bias = nullptr;
};
// The bias length a row of n elements gets (bias_cols in suite.hpp), so that n is always a
// multiple of it.
std::size_t warmup_bias_cols(std::size_t n);
// What variant v is warmed with: what its kind needs (the bias shape, dy for a backward).
RunArgs warmup_args(const Variant& v, std::size_t n, const WarmupBuffers& b);
// Calls each variant once with warmup_args through `call` (the CUDA side: the launch and a sync;
// the tests: the argument checks alone). Returns the names warmed; each failure goes to *note as
// "name: why", and the others are still warmed.
std::vector<std::string> warm_up_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                          const WarmupBuffers& b,
                                          const std::function<void(const Variant&, const RunArgs&)>& call,
                                          std::string* note);

// ---- Clocks and throttling ----------------------------------------------------------------

// NVML's clock-event (throttle) reason bits, nvmlClocksEventReason* / nvmlClocksThrottleReason*.
namespace throttle_bits {
inline constexpr std::uint64_t gpu_idle = 0x1;
inline constexpr std::uint64_t applications_clocks = 0x2;
inline constexpr std::uint64_t sw_power_cap = 0x4;
inline constexpr std::uint64_t hw_slowdown = 0x8;
inline constexpr std::uint64_t sync_boost = 0x10;
inline constexpr std::uint64_t sw_thermal = 0x20;
inline constexpr std::uint64_t hw_thermal = 0x40;
inline constexpr std::uint64_t hw_power_brake = 0x80;
inline constexpr std::uint64_t display_clocks = 0x100;
// The reasons that mean "the chip slowed itself down": power and thermal limits. Idle, an
// application-clock setting or sync boost say nothing about this row's numbers.
inline constexpr std::uint64_t slowdown = sw_power_cap | hw_slowdown | sw_thermal | hw_thermal | hw_power_brake;
}  // namespace throttle_bits

// Names of the set bits, in bit order ("sw_power_cap", ...); unknown bits as "bit_0x...".
std::vector<std::string> throttle_reason_names(std::uint64_t bits);

// One NVML reading taken between samples.
struct ClockReading {
  unsigned sm_mhz = 0, mem_mhz = 0;
  std::optional<unsigned> temperature_c;
  std::optional<double> power_w;
  std::uint64_t reasons = 0;
};

inline constexpr double kClockMoveLimit = 0.05;  // SM clock range over the row, relative to its max

struct ClockSummary {
  unsigned sm_min = 0, sm_max = 0, mem_min = 0, mem_max = 0;
  std::optional<unsigned> temperature_max_c;
  std::optional<double> power_max_w;
  std::uint64_t reasons = 0;  // OR over the readings
  int readings = 0;
  bool throttled = false;
  std::vector<std::string> why;  // "sm_clock_moved", and the slowdown reasons seen
};
// Throws std::invalid_argument on an empty list.
ClockSummary summarize_clocks(const std::vector<ClockReading>& readings);

// ---- What a GPU row records --------------------------------------------------------------

struct GpuRowTiming {
  StopReason stop_reason = StopReason::max_samples;
  int sample_count = 0;
  double relative_standard_error = 0;
  int batch = 1;                       // calls per sample (hot mode; 1 in cold mode)
  std::optional<ClockSummary> clocks;  // null when NVML could not be read
  std::string clocks_reason;           // why clocks is null
};

// What the run did for every GPU row, recorded once in the JSON's config.
struct GpuTimingSetup {
  StopRule rule;
  double hot_min_sample_s = 5e-4;
  int hot_max_batch = 128;
  bool blocking_kernel = true;
  std::string flush_method;        // cold mode; empty in hot mode
  std::size_t flush_bytes = 0;
  std::size_t warmup_n = 0;        // 0: no warm-up
  std::vector<std::string> warmup_variants;
  std::string warmup_note;         // why there was none, or which variants failed it
  std::string nvml;                // "available", or why not
};

}  // namespace elubench::bench
