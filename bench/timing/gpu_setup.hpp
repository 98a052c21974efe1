// The GPU side of a run's timing, set up once before any row runs: one sampler for the run
// (stream, blocking kernel, L2 flush, NVML), and every selected GPU variant warmed once at a
// large n (timing/gpu_warmup.hpp). Without CUDA, or without a GPU row to run, there is no
// sampler and GPU rows say why.
#pragma once

#include <memory>
#include <vector>

#include "cli/options.hpp"
#include "elubench/gpu.hpp"
#include "results/gpu_record.hpp"
#include "results/row.hpp"

namespace elubench::bench {

class GpuSampler;  // timing/gpu_sampler.hpp (CUDA builds)

struct GpuTiming {
  GpuTimingSetup setup;  // what the results' config.gpu_timing records
  bool any_row = false;  // a GPU row is pending: the run times the GPU
  std::unique_ptr<GpuSampler> sampler;
  GpuTiming();
  ~GpuTiming();
  GpuTiming(GpuTiming&&) noexcept;
  GpuSampler* get() const { return sampler.get(); }
};

// The sampler for the GPU `gpu` and the warm-up of every GPU variant the pending rows use; says
// on stderr when NVML cannot record the clocks.
GpuTiming prepare_gpu_timing(const Options& opt, const gpu::Info& gpu, const std::vector<Row>& rows);

}  // namespace elubench::bench
