// A GPU row's clocks: the NVML readings taken between its samples (timing/nvml.hpp), summed up
// into the ClockSummary the row records, and whether they make its numbers suspect.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "results/gpu_record.hpp"

namespace elubench::bench {

// One NVML reading taken between samples.
struct ClockReading {
  unsigned sm_mhz = 0, mem_mhz = 0;
  std::optional<unsigned> temperature_c;
  std::optional<double> power_w;
  std::uint64_t reasons = 0;
};

inline constexpr double kClockMoveLimit = 0.05;  // SM clock range over the row, relative to its max

// Min/max clocks, the hottest and most power-hungry reading, the throttle reasons seen, and
// `throttled` when the SM clock moved by more than kClockMoveLimit or a slowdown reason
// (throttle_bits::slowdown) was seen. Throws std::invalid_argument on an empty list.
ClockSummary summarize_clocks(const std::vector<ClockReading>& readings);

}  // namespace elubench::bench
