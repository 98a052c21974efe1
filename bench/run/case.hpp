// What one elubench run measures: the rows selected from the registry, their buffers, the
// pre-timing check against the float64 reference, and the timed loops for CPU and GPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <string>
#include <vector>

#include "cli/parse.hpp"
#include "buffers/guards.hpp"
#include "buffers/host_buffer.hpp"
#include "elubench/gpu.hpp"
#include "elubench/reference.hpp"
#include "results/row.hpp"

namespace benchmark {
class State;
}

namespace elubench::bench {

class GpuSampler;  // bench/gpu_timer.hpp (CUDA builds)

// What the run knows about where it runs, decided before any row is built.
struct Platform {
  int hardware_threads = 1;
  std::size_t cpu_llc_bytes = 0;   // last-level cache; 0 if unknown
  bool gpu_usable = false;
  std::string gpu_reason;          // why GPU rows are skipped when !gpu_usable
  gpu::Info gpu;                   // valid when gpu_usable
};

// Largest cache size sysfs reports for cpu0 (the last-level cache), else sysconf, else 0.
std::size_t cpu_last_level_cache_bytes();

// Bytes of buffers the rows hold when all of them are alive at once, as they are when
// Google Benchmark interleaves their repetitions: on the host the SharedBuffers of the CPU rows
// and every row's bias; on the GPU one row's buffers (a GPU row runs one repetition, so it
// allocates and frees its device buffers before the next row starts).
struct Footprint {
  std::size_t host = 0, device = 0;
};
Footprint interleaved_footprint(const std::vector<Row>& rows);

// Bias length for a bias variant of n elements: the largest power of two <= 1024 dividing n,
// so x is a rows x cols matrix with a realistic channel count.
std::size_t bias_cols(std::size_t n);

// The rows of the run, in registry order, sizes ascending, threads as given. Copy ceilings
// join every (device, dtype) that has a selected kernel or peer, whatever --variant and
// --activation say, so each row has its ceiling. GPU rows start "skipped" with the platform's
// reason when no GPU is usable. Throws UsageError when nothing is selected.
std::vector<Row> select_rows(const Options& o, const Platform& p);

// The host buffers the rows share, made once per run:
// - per (dtype, n), the input, drawn fresh in each run from the --input distribution: variants
//   are compared on identical data (a paired comparison), and drawing 2^26 normals per row
//   would dominate the suite's time;
// - per (dtype, n), the rows' host output: a row poisons it before its timed calls and checks it
//   after its last repetition, which Google Benchmark reports before it runs any other row, so
//   no row needs an output of its own (a GPU row copies its output there for both checks). With one each, the default suite's rows needed ~38 GB
//   together and could not be interleaved, and a cell's copy ceiling was measured minutes
//   apart from its kernels;
// - per (dtype, n), a backward's dy; per (backward, n, params) its saved tensor (x itself when
//   the activation saves its input).
// The inputs are read-only once filled (bench/guards.hpp): a kernel that writes into one fails
// its row, and restore_inputs() fills them again, so the rows after it read what they should.
class SharedBuffers {
 public:
  SharedBuffers(Input dist, unsigned seed) : dist_(dist), seed_(seed) {}
  std::shared_ptr<const HostBuffer> input(Dtype d, std::size_t n);
  std::shared_ptr<HostBuffer> output(Dtype d, std::size_t n);
  std::shared_ptr<const HostBuffer> grad(Dtype d, std::size_t n);
  std::shared_ptr<const HostBuffer> saved(const Variant& backward, std::size_t n, const ActivationParams& p);
  // After a row was caught writing where it may not: every input filled again as it was made
  // (only the pages written were made writable, but which is not worth tracking for a failure),
  // and every output's canaries written again.
  void restore_inputs();

 private:
  // A buffer and how it is filled (an input: then made read-only), so that it can be made again.
  struct Slot {
    std::shared_ptr<HostBuffer> buffer;
    std::function<void(HostBuffer&)> fill;  // empty for an output
  };
  using Key = std::pair<Dtype, std::size_t>;
  using SavedKey = std::tuple<Activation, Dtype, std::size_t, float, float>;  // every variant's the same
  static const std::shared_ptr<HostBuffer>& made(Slot& slot, std::size_t bytes, std::size_t offset,
                                                 std::function<void(HostBuffer&)> fill);
  Input dist_;
  unsigned seed_;
  std::map<Key, Slot> inputs_, grads_, outputs_;
  std::map<SavedKey, Slot> saved_;
};

// The state one row keeps between Google Benchmark's calls: its input and output buffers
// (host or device), prepared on first use and released once its repetitions are reported.
class Case {
 public:
  // gpu: the run's sampler (stream, blocking kernel, L2 flush, NVML); null without CUDA.
  Case(Row& row, SharedBuffers& shared, unsigned seed, GpuSampler* gpu);
  ~Case();
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
  // when it passed its checks), for the journal (bench/repetitions.hpp).
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
  void run_first_call();  // the checked call, on the row's buffers (a GPU row's output copied back)
  // Writes outside what the row may write (bench/guards.hpp): the first one described, or empty.
  // The output's canaries, a write into a read-only host input, and with full the device buffers
  // (canaries, and the inputs compared with their host copies).
  std::string writes_outside(bool full);
  // Marks the row failed with `why` and puts the shared buffers back as they should be.
  void fail_for_writing_outside(const std::string& why);
  // After a timed loop: writes outside, and the poisoned elements of the output against the
  // reference (so every repetition's calls are seen to have written what they should).
  std::string check_timed_loop();
  // Timed calls are checked too (bench/timed_check.cpp): before each timed loop the output is
  // poisoned, and after the last repetition the output of the last timed call is checked.
  void poison_output();
  bool check_last_timed_call();  // false: the row is failed, reason set
  void run_cpu(benchmark::State& st);
  void run_gpu(benchmark::State& st);
  void release();

  Row& row_;
  SharedBuffers& shared_;
  unsigned seed_;
  GpuSampler* gpu_;
  bool prepared_ = false;
  bool ready_ = false;
  bool interrupted_ = false;  // a stop signal came before this row finished
  void prepare_inputs();  // allocates and fills x (or a backward's saved tensor and dy), bias, y
  void copy_inputs_to_device();
  // What the variant reads as x: the shared input, or a backward's saved tensor.
  const void* host_x() const { return hx_->data(); }
  const void* host_grad() const { return hgrad_ ? hgrad_->data() : nullptr; }

  std::shared_ptr<const HostBuffer> hx_, hgrad_;  // x (a backward's saved tensor); dy, backward rows only
  std::shared_ptr<HostBuffer> hy_;                // the size's shared output (GPU rows: the host copy)
  HostBuffer hbias_;
  std::unique_ptr<DeviceBuffer> dx_, dy_, dbias_, dgrad_;
  RunArgs args_;
  std::vector<double> samples_;
  std::uint64_t first_output_digest_ = 0;  // GPU rows: output_digest of the checked first call
  std::optional<Loop> loop_;
};

// Random input of n elements of dtype d from the --input distribution, never zero (a zero
// would hide a wrong sign or a missing exponential). Parallel: 2^26 elements must not dominate
// the run. Deterministic for a given seed.
void fill_input(void* dst, std::size_t n, Dtype d, Input dist, unsigned seed);

// check_against_reference split across threads (rows of cols for bias variants), merged as
// if it had run in one piece.
// make_saved_input (reference.hpp) split across threads: a backward row of 2^26 elements.
void make_saved_input_parallel(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p);

// A 64-bit digest of `bytes` bytes, over every host core. A GPU row's last timed call whose
// output has the digest of its fully checked first call has passed the same check (the same
// input, byte for byte the same output): the second float64 check of a 2^28 row is skipped.
std::uint64_t output_digest(const void* data, std::size_t bytes);

// grad: a backward's dy (x is then its saved tensor).
CheckResult check_parallel(const Variant& v, const void* x, const void* y, std::size_t n, const ActivationParams& p,
                           const void* bias, std::size_t cols, int threads, const void* grad = nullptr);

}  // namespace elubench::bench
