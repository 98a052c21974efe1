// Google Benchmark as the bench's CPU sampler and scheduler: its flags, how each row is
// registered to be timed (manual time from the loop's wall clock; a GPU row's samples inside
// one iteration), the CPU timed loop, and the reporter that turns its reports into samples.
// Stdout is kept for the summary: the reporter stands in for Google Benchmark's console table,
// and --benchmark_out still gets its own JSON through its file reporter.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "elubench/registry.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// Whether any of args starts with prefix.
bool has_flag(const std::vector<std::string>& args, const char* prefix);

// Google Benchmark gets argv0 plus its own flags, and random interleaving of the rows'
// repetitions when `interleave` (and the flags do not say otherwise). Throws UsageError with one
// line for a flag it does not know or a malformed value.
void init_google_benchmark(const char* argv0, const std::vector<std::string>& benchmark_args, bool interleave);

// Unique per row: the variant, the shape and, where they make the work differ, the params.
std::string benchmark_name(const Row& r);

// How Google Benchmark times row r. A GPU row samples inside one iteration until the stopping
// rule says stop (timing/gpu_sampler.hpp). A CPU row times its loop itself (wall time: worker
// threads' time must count), in opt.repetitions less `resumed` repetitions, with a short
// minimum time per repetition unless --benchmark_min_time says otherwise.
void set_row_timing(benchmark::internal::Benchmark* b, const Row& r, const Options& opt, std::size_t resumed);

// The CPU timed loop: fn(args) for the iterations Google Benchmark asks, its wall time on the
// steady clock handed over as the manual time. Returns the loop's seconds.
double time_cpu_loop(benchmark::State& st, RunFn fn, const RunArgs& args);

// A loop that does nothing, with its own time as the manual time: for the repetitions an
// interrupted row must still report (Google Benchmark aborts when one row's repetitions report
// different iteration counts, and without a time a first repetition would grow to a billion
// iterations).
void run_empty_loop(benchmark::State& st);

// Collects one sample per repetition (seconds per call) of every registered row and says when
// Google Benchmark has reported a row.
class SampleReporter : public benchmark::BenchmarkReporter {
 public:
  struct Sink {
    std::function<bool(const std::string& name)> known;  // a row registered under this name
    std::function<void(const std::string& name, double seconds_per_call)> sample;
    std::function<void(const std::string& name)> reported;  // after its samples of this report
  };
  explicit SampleReporter(Sink sink) : sink_(std::move(sink)) {}
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override;

 private:
  Sink sink_;
};

}  // namespace elubench::bench
