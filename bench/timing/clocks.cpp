#include "timing/clocks.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace elubench::bench {

ClockSummary summarize_clocks(const std::vector<ClockReading>& readings) {
  if (readings.empty()) throw std::invalid_argument("summarize_clocks: no readings");
  ClockSummary s;
  s.sm_min = s.sm_max = readings.front().sm_mhz;
  s.mem_min = s.mem_max = readings.front().mem_mhz;
  for (const ClockReading& r : readings) {
    s.sm_min = std::min(s.sm_min, r.sm_mhz);
    s.sm_max = std::max(s.sm_max, r.sm_mhz);
    s.mem_min = std::min(s.mem_min, r.mem_mhz);
    s.mem_max = std::max(s.mem_max, r.mem_mhz);
    if (r.temperature_c) s.temperature_max_c = std::max(s.temperature_max_c.value_or(0), *r.temperature_c);
    if (r.power_w) s.power_max_w = std::max(s.power_max_w.value_or(0.0), *r.power_w);
    s.reasons |= r.reasons;
  }
  s.readings = static_cast<int>(readings.size());
  if (s.sm_max > 0 && static_cast<double>(s.sm_max - s.sm_min) / s.sm_max > kClockMoveLimit)
    s.why.emplace_back("sm_clock_moved");
  for (const std::string& name : throttle_reason_names(s.reasons & throttle_bits::slowdown)) s.why.push_back(name);
  s.throttled = !s.why.empty();
  return s;
}

}  // namespace elubench::bench
