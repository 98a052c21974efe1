// How a GPU row was timed, as the results record it: the stopping rule and its verdict, the
// clocks and throttle reasons NVML reported, and the run-wide setup (config.gpu_timing). The
// rules that fill these records are in timing/; their JSON is written and read in results/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace elubench::bench {

// When a GPU row stops sampling (timing/stopping_rule.hpp applies it).
struct StopRule {
  double stdrel = 0.005;    // target relative standard error of the mean (0.5%)
  int min_samples = 10;     // never stop on stdrel before this many
  int max_samples = 10000;  // hard cap on the count
  double max_time_s = 0.5;  // wall-time cap per row (sampling only, not preparation)
};
enum class StopReason { stdrel, max_time, max_samples };
std::string_view to_string(StopReason r);
std::optional<StopReason> parse_stop_reason(std::string_view s);

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
// The inverse: the bits of a list of names; nullopt when one names no bit.
std::optional<std::uint64_t> throttle_bits_of(const std::vector<std::string>& names);

// The clocks over one row's samples (timing/clocks.hpp, summarize_clocks).
struct ClockSummary {
  unsigned sm_min = 0, sm_max = 0, mem_min = 0, mem_max = 0;
  std::optional<unsigned> temperature_max_c;
  std::optional<double> power_max_w;
  std::uint64_t reasons = 0;  // OR over the readings
  int readings = 0;
  bool throttled = false;
  std::vector<std::string> why;  // "sm_clock_moved", and the slowdown reasons seen
};

// What a sampled GPU row records: the row's "gpu_timing".
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
