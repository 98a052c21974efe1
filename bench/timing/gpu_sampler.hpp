// How a GPU row is timed, the nvbench way, behind a header without CUDA types (the callers are
// host .cpp files with nlohmann/json). Compiled only when ELUBENCH_HAVE_CUDA.
//
//   cold (default): flush L2 (write, then read, a buffer of twice the L2, so no dirty line of
//                   x, y or the flush is left for the timed kernel to write back) → sync → block
//                   → start → call → stop → release
//   hot:            block → start → call × batch → stop → release; batch from a minimum sample
//                   time (hot_batch), not a fixed count
// "block" launches a kernel that spins on a host-mapped flag until "release": everything the
// host queues behind it (events and launches) reaches the GPU together, so host-side launch cost
// never lands between the events. Samples go to the stopping rule (sample_until_stop) and NVML
// is read between samples.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "elubench/registry.hpp"
#include "results/gpu_record.hpp"

namespace elubench::bench {

class Nvml;

class GpuSampler {
 public:
  // Creates the stream, the blocking flag, the flush buffer (cold mode: 2 × l2_bytes) and
  // opens NVML for the device with this CUDA ordinal. Throws on a CUDA error.
  GpuSampler(const GpuTimingSetup& setup, Cache cache, std::size_t l2_bytes, int ordinal);
  ~GpuSampler();
  GpuSampler(const GpuSampler&) = delete;
  GpuSampler& operator=(const GpuSampler&) = delete;

  void* stream() const;  // the cudaStream_t every timed call runs on
  // The setup with what the sampler found filled in (flush method and bytes, NVML status).
  const GpuTimingSetup& setup() const { return setup_; }

  // Samples one row until the stopping rule says stop; `args.stream` is replaced by stream().
  // Returns seconds per call; `out` gets the verdict, the batch and the clock summary.
  // Throws std::runtime_error on a CUDA error or a blocking kernel that timed out.
  // before_samples runs after the untimed warm-up and hot-batch calibration calls, just before
  // the first sample, with the stream idle: the row poisons its output there, so that only
  // timed calls can leave the output that is checked after the last sample.
  std::vector<double> sample(RunFn fn, RunArgs args, GpuRowTiming& out,
                             const std::function<void()>& before_samples = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Nvml> nvml_;
  GpuTimingSetup setup_;
  Cache cache_;
};

// "0000:65:00.0" for the CUDA device with this ordinal (NVML's key for the same device).
std::string pci_bus_id(int ordinal);

}  // namespace elubench::bench
