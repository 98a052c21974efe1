#include "timing/stopping_rule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace elubench::bench {

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

}  // namespace elubench::bench
