// One row's life under Google Benchmark: prepared on its first body call (the adversarial
// check, its buffers, one checked call), then timed (timing/), then finished with its statistics
// or the reason it failed. What is checked is in trust/, the buffers in plan/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/row_buffers.hpp"
#include "plan/shared_buffers.hpp"
#include "results/row.hpp"

namespace benchmark {
class State;
}

namespace elubench::bench {

class GpuSampler;  // timing/gpu_sampler.hpp (CUDA builds)

class Case {
 public:
  // gpu: the run's sampler (stream, blocking kernel, L2 flush, NVML); null without CUDA.
  Case(Row& row, SharedBuffers& shared, unsigned seed, GpuSampler* gpu);
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;

  // The benchmark body: prepares (fresh input, one checked run) on first call, then times.
  // Never throws; a failure marks the row and calls SkipWithError.
  void run(benchmark::State& st);
  // Samples from the reporter: seconds per call, one per repetition. GPU rows take their own
  // samples inside one Google Benchmark iteration (the stopping rule) and ignore these.
  void add_sample(double seconds) {
    if (row_.variant->device != Device::gpu) samples_.push_back(seconds);
  }
  // A resumed CPU row: the repetitions an interrupted run journaled come first; the row then runs
  // only the rest (Google Benchmark is told repetitions - resumed()).
  void resume_with(std::vector<double> samples) { samples_ = std::move(samples); }
  std::size_t resumed() const { return samples_.size(); }
  // The timed loop the last body call ran, once: its iterations and seconds per call (CPU rows,
  // when it passed its checks), for the journal (run/repetitions.hpp).
  struct Loop {
    long long iterations;
    double seconds_per_call;
  };
  std::optional<Loop> take_loop() { return std::exchange(loop_, std::nullopt); }
  // After the last repetition: status ok with its statistics, or the failure; frees buffers.
  void finish();
  Row& row() { return row_; }

 private:
  bool prepare();  // false: the row is failed/skipped, reason set
  // Layer rows (run/layer_case.cpp): their buffers and checks. y is checked on the reference's
  // sampled rows, after the first call and after the last timed call.
  bool prepare_layer();
  bool layer_output_passes(const std::string& when);
  bool last_layer_call_passes();
  std::size_t device_bytes_needed() const;  // an elementwise GPU row's buffers and workspaces
  bool fits_device_memory(std::size_t need);  // GPU rows; false: skipped, reason set
  bool passes_adversarial();
  void run_first_call();  // the checked call, on the row's buffers (a GPU row's output copied back)
  bool first_call_passes();
  void skip_interrupted(benchmark::State& st);
  void run_cpu(benchmark::State& st);
  void run_gpu(benchmark::State& st);
  void fail(benchmark::State& st);  // after a failure was recorded: the buffers go, Google Benchmark is told
  void record_prepare_error();  // in a catch block: skipped for a variant this machine lacks, else failed

  Row& row_;
  SharedBuffers& shared_;
  unsigned seed_;
  GpuSampler* gpu_;
  bool prepared_ = false;
  bool ready_ = false;
  bool interrupted_ = false;  // a stop signal came before this row finished
  RowBuffers buffers_;
  std::vector<double> samples_;
  std::uint64_t first_output_digest_ = 0;  // GPU rows: output_digest of the checked first call
  std::optional<Loop> loop_;
};

}  // namespace elubench::bench
