#include "results/gpu_record.hpp"

#include <cstdio>
#include <utility>

namespace elubench::bench {

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::stdrel: return "stdrel";
    case StopReason::max_time: return "max_time";
    case StopReason::max_samples: return "max_samples";
  }
  return "?";
}

std::optional<StopReason> parse_stop_reason(std::string_view s) {
  for (StopReason r : {StopReason::stdrel, StopReason::max_time, StopReason::max_samples})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

namespace {
constexpr std::pair<std::uint64_t, const char*> kThrottleNames[] = {
    {throttle_bits::gpu_idle, "gpu_idle"},
    {throttle_bits::applications_clocks, "applications_clocks_setting"},
    {throttle_bits::sw_power_cap, "sw_power_cap"},
    {throttle_bits::hw_slowdown, "hw_slowdown"},
    {throttle_bits::sync_boost, "sync_boost"},
    {throttle_bits::sw_thermal, "sw_thermal_slowdown"},
    {throttle_bits::hw_thermal, "hw_thermal_slowdown"},
    {throttle_bits::hw_power_brake, "hw_power_brake_slowdown"},
    {throttle_bits::display_clocks, "display_clock_setting"}};

std::string unknown_bit_name(std::uint64_t bit) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bit_0x%llx", static_cast<unsigned long long>(bit));
  return buf;
}
}  // namespace

std::vector<std::string> throttle_reason_names(std::uint64_t bits) {
  std::vector<std::string> out;
  std::uint64_t known = 0;
  for (const auto& [bit, name] : kThrottleNames) {
    known |= bit;
    if (bits & bit) out.emplace_back(name);
  }
  for (int b = 0; b < 64; ++b) {
    const std::uint64_t bit = std::uint64_t{1} << b;
    if ((bits & bit) && !(known & bit)) out.push_back(unknown_bit_name(bit));
  }
  return out;
}

std::optional<std::uint64_t> throttle_bits_of(const std::vector<std::string>& names) {
  std::uint64_t bits = 0;
  for (const std::string& name : names) {
    std::uint64_t found = 0;
    for (const auto& [bit, known] : kThrottleNames)
      if (name == known) found = bit;
    for (int b = 0; b < 64 && !found; ++b)
      if (name == unknown_bit_name(std::uint64_t{1} << b)) found = std::uint64_t{1} << b;
    if (!found) return std::nullopt;
    bits |= found;
  }
  return bits;
}

}  // namespace elubench::bench
