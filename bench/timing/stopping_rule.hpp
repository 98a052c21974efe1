// When a GPU row stops sampling (nvbench's `stdrel` criterion, on the relative standard error of
// the mean) and how many launches make one hot sample: host-side rules, free of CUDA, so that the
// tests run them on any machine. The GPU sampler (timing/gpu_sampler.hpp) applies them.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "cli/options.hpp"
#include "results/gpu_record.hpp"

namespace elubench::bench {

// The rule the command line asks for: its --gpu-* flags over the defaults (--quick caps a row
// at 0.05 s so that the CI smoke stays short).
StopRule gpu_stop_rule(const Options& o);

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

// Calls per hot sample: the fewest that make one sample last at least min_sample_s given one
// call's time, between 1 and max_batch (the blocked stream queues every launch of a sample; too
// many would fill the launch queue while the blocking kernel waits for the host).
int hot_batch(double one_call_s, double min_sample_s, int max_batch);

}  // namespace elubench::bench
