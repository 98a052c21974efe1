#include "timing/stopping_rule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "results/row.hpp"
#include "run/case.hpp"

namespace elubench::bench {

std::string_view to_string(StopReason r) {
  switch (r) {
    case StopReason::stdrel: return "stdrel";
    case StopReason::max_time: return "max_time";
    case StopReason::max_samples: return "max_samples";
  }
  return "?";
}

StopRule gpu_stop_rule(const Options& o) {
  StopRule r;
  if (o.quick) r.max_time_s = 0.05;
  if (o.gpu_stdrel_pct) r.stdrel = *o.gpu_stdrel_pct / 100.0;
  if (o.gpu_max_time_s) r.max_time_s = *o.gpu_max_time_s;
  if (o.gpu_min_samples) r.min_samples = *o.gpu_min_samples;
  if (o.gpu_max_samples) r.max_samples = *o.gpu_max_samples;
  if (r.min_samples > r.max_samples) r.min_samples = r.max_samples;  // only one flag given
  return r;
}

std::optional<StopReason> Stopper::add(double sample_s, double elapsed_s) {
  ++count_;
  const double delta = sample_s - mean_;
  mean_ += delta / count_;
  m2_ += delta * (sample_s - mean_);
  if (count_ >= rule_.min_samples && relative_standard_error() < rule_.stdrel) return StopReason::stdrel;
  if (count_ >= rule_.max_samples) return StopReason::max_samples;
  if (elapsed_s >= rule_.max_time_s) return StopReason::max_time;
  return std::nullopt;
}

double Stopper::relative_standard_error() const {
  if (count_ < 2 || !(mean_ > 0)) return std::numeric_limits<double>::infinity();
  const double stddev = std::sqrt(m2_ / (count_ - 1));
  return stddev / (mean_ * std::sqrt(static_cast<double>(count_)));
}

SamplingOutcome sample_until_stop(const StopRule& rule, const std::function<double()>& take,
                                  const std::function<void()>& between, const std::function<double()>& now) {
  SamplingOutcome out;
  Stopper stop(rule);
  const double t0 = now();
  while (true) {
    const double s = take();
    out.samples.push_back(s);
    if (between) between();
    if (const auto why = stop.add(s, now() - t0)) {
      out.stop_reason = *why;
      break;
    }
  }
  out.relative_standard_error = stop.relative_standard_error();
  return out;
}

int hot_batch(double one_call_s, double min_sample_s, int max_batch) {
  max_batch = std::max(1, max_batch);
  if (!(one_call_s > 0)) return max_batch;  // a call too short to time: as many as allowed
  const double want = std::ceil(min_sample_s / one_call_s);
  return static_cast<int>(std::clamp(want, 1.0, static_cast<double>(max_batch)));
}

std::size_t warmup_elements(std::size_t largest_n, std::size_t free_bytes, int tensors) {
  std::size_t n = std::max<std::size_t>(std::size_t{1} << 26, largest_n);
  // The tensors in the widest dtype (4 bytes), within half the free memory.
  const std::size_t t = static_cast<std::size_t>(std::max(tensors, 1));
  while (n >= (std::size_t{1} << 20) && t * n * 4 > free_bytes / 2) n /= 2;
  return n >= (std::size_t{1} << 20) ? n : 0;
}

std::size_t warmup_bias_cols(std::size_t n) { return bias_cols(n); }

RunArgs warmup_args(const Variant& v, std::size_t n, const WarmupBuffers& b) {
  RunArgs a;
  a.x = b.x;
  a.y = b.y;
  a.n = n;
  if (v.is_backward()) a.grad = b.grad;
  if (v.uses_bias) {
    a.bias = b.bias;
    a.cols = warmup_bias_cols(n);
  }
  return a;
}

std::vector<std::string> warm_up_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                          const WarmupBuffers& b,
                                          const std::function<void(const Variant&, const RunArgs&)>& call,
                                          std::string* note) {
  std::vector<std::string> warmed;
  for (const Variant* v : variants) {
    try {
      call(*v, warmup_args(*v, n, b));
      warmed.push_back(v->name);
    } catch (const std::exception& e) {
      if (note) *note += (note->empty() ? "" : "; ") + v->name + ": " + e.what();
    }
  }
  return warmed;
}

std::vector<std::string> throttle_reason_names(std::uint64_t bits) {
  static constexpr std::pair<std::uint64_t, const char*> kNames[] = {
      {throttle_bits::gpu_idle, "gpu_idle"},
      {throttle_bits::applications_clocks, "applications_clocks_setting"},
      {throttle_bits::sw_power_cap, "sw_power_cap"},
      {throttle_bits::hw_slowdown, "hw_slowdown"},
      {throttle_bits::sync_boost, "sync_boost"},
      {throttle_bits::sw_thermal, "sw_thermal_slowdown"},
      {throttle_bits::hw_thermal, "hw_thermal_slowdown"},
      {throttle_bits::hw_power_brake, "hw_power_brake_slowdown"},
      {throttle_bits::display_clocks, "display_clock_setting"}};
  std::vector<std::string> out;
  std::uint64_t known = 0;
  for (const auto& [bit, name] : kNames) {
    known |= bit;
    if (bits & bit) out.emplace_back(name);
  }
  for (int b = 0; b < 64; ++b) {
    const std::uint64_t bit = std::uint64_t{1} << b;
    if ((bits & bit) && !(known & bit)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "bit_0x%llx", static_cast<unsigned long long>(bit));
      out.emplace_back(buf);
    }
  }
  return out;
}

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

// ---- JSON (declared in results.hpp, which owns the document) -------------------------------

nlohmann::json gpu_row_timing_to_json(const GpuRowTiming& t) {
  nlohmann::json j = {{"stop_reason", to_string(t.stop_reason)},
                      {"sample_count", t.sample_count},
                      {"batch", t.batch}};
  j["relative_standard_error"] =
      std::isfinite(t.relative_standard_error) ? nlohmann::json(t.relative_standard_error) : nlohmann::json(nullptr);
  if (t.clocks) {
    const ClockSummary& c = *t.clocks;
    j["clocks"] = {{"sm_mhz", {{"min", c.sm_min}, {"max", c.sm_max}}},
                   {"mem_mhz", {{"min", c.mem_min}, {"max", c.mem_max}}},
                   {"temperature_max_c", c.temperature_max_c ? nlohmann::json(*c.temperature_max_c) : nlohmann::json(nullptr)},
                   {"power_max_w", c.power_max_w ? nlohmann::json(*c.power_max_w) : nlohmann::json(nullptr)},
                   {"throttle_reasons", throttle_reason_names(c.reasons)},
                   {"readings", c.readings}};
    j["clocks_reason"] = nullptr;
    j["throttled"] = c.throttled;
    j["throttle"] = c.why;
  } else {
    j["clocks"] = nullptr;
    j["clocks_reason"] = t.clocks_reason.empty() ? "no clock readings" : t.clocks_reason;
    j["throttled"] = nullptr;  // unknown, not "no"
    j["throttle"] = nlohmann::json::array();
  }
  return j;
}

nlohmann::json gpu_timing_setup_to_json(const GpuTimingSetup& s) {
  return {{"stop_rule", {{"stdrel", s.rule.stdrel}, {"min_samples", s.rule.min_samples},
                         {"max_samples", s.rule.max_samples}, {"max_time_s", s.rule.max_time_s}}},
          {"hot_min_sample_s", s.hot_min_sample_s},
          {"hot_max_batch", s.hot_max_batch},
          {"blocking_kernel", s.blocking_kernel},
          {"flush", s.flush_method.empty() ? nlohmann::json(nullptr)
                                           : nlohmann::json{{"method", s.flush_method}, {"bytes", s.flush_bytes}}},
          {"warmup", {{"n", s.warmup_n}, {"variants", s.warmup_variants},
                      {"note", s.warmup_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.warmup_note)}}},
          {"nvml", s.nvml}};
}

}  // namespace elubench::bench
