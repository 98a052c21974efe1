// Which calls of a row's benchmark body are its repetitions, so that each repetition's sample can
// be journaled when it is taken, not when the row's last repetition ends: in an interleaved run
// every row finishes near the end, and an interruption would otherwise lose almost everything.
//
// What Google Benchmark (1.7) does, and this relies on: it runs one repetition to its end before
// anything else runs. In a row's first repetition it calls the body with a growing iteration count
// until the loop is long enough, and reports the last call; every later repetition is one call
// with that same count. A warm-up (--benchmark_min_warmup_time) is a first series of growing calls
// that ends before the measured ones start again from one iteration. So a call that ended is its
// repetition's reported one exactly when the next body call is another row's, or the same row's
// with no more iterations (after a warm-up: the second time that happens), or the row reports.
// tests/test_bench_pipeline.cpp plays these sequences; the interrupt test checks the journaled
// samples against the ones Google Benchmark reported.
#pragma once

#include <functional>
#include <optional>
#include <set>

#include "results/row.hpp"

namespace elubench::bench {

class RepetitionLog {
 public:
  // sink: a repetition of a row that has not finished (its seconds per call). warmup: whether
  // Google Benchmark warms each row up first.
  using Sink = std::function<void(const Row&, double seconds_per_call)>;
  RepetitionLog(Sink sink, bool warmup) : sink_(std::move(sink)), warmup_(warmup) {}

  // Before each call of any row's body, with the iterations it will run.
  void starting(const Row& row, long long iterations);
  // After a timed loop that passed its checks: its iterations and seconds per call.
  void ended(const Row& row, long long iterations, double seconds_per_call);
  // Google Benchmark reported the row: its row line holds every sample, nothing of it is pending.
  void reported(const Row& row);

 private:
  struct Call {
    const Row* row;
    long long iterations;
    double seconds_per_call;
  };
  Sink sink_;
  bool warmup_;
  std::optional<Call> last_;     // the last timed loop, not yet known to be a repetition's
  std::set<const Row*> warmed_;  // with a warm-up: rows whose warm-up has ended
};

// Whether the Google Benchmark flags turn the warm-up on (the last --benchmark_min_warmup_time wins).
bool warmup_requested(const std::vector<std::string>& benchmark_args);

}  // namespace elubench::bench
