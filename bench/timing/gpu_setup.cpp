#include "timing/gpu_setup.hpp"

#include <algorithm>
#include <cstdio>

#include "timing/gpu_warmup.hpp"
#include "timing/stopping_rule.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sampler.hpp"
#else
namespace elubench::bench {
class GpuSampler {};  // never made without CUDA
}  // namespace elubench::bench
#endif

namespace elubench::bench {

GpuTiming::GpuTiming() = default;
GpuTiming::~GpuTiming() = default;
GpuTiming::GpuTiming(GpuTiming&&) noexcept = default;

namespace {
bool pending_gpu_row(const Row& r) { return r.variant->device == Device::gpu && r.status == Status::pending; }

#if ELUBENCH_HAVE_CUDA
// Every GPU variant the pending rows use, warmed at the largest of their sizes (or more).
void warm_up(GpuTimingSetup& setup, const std::vector<Row>& rows) {
  std::vector<const Variant*> variants;
  std::size_t largest = 0;
  for (const Row& r : rows) {
    if (!pending_gpu_row(r)) continue;
    largest = std::max(largest, r.n);
    if (std::find(variants.begin(), variants.end(), r.variant) == variants.end()) variants.push_back(r.variant);
  }
  const bool backward = std::any_of(variants.begin(), variants.end(), [](const Variant* v) { return v->is_backward(); });
  setup.warmup_n = warmup_elements(largest, gpu::free_memory(), backward ? 3 : 2);
  if (setup.warmup_n == 0) setup.warmup_note = "not even 2^20 elements fit in free device memory";
  setup.warmup_variants = warm_up_gpu_variants(variants, setup.warmup_n, &setup.warmup_note);
}
#endif
}  // namespace

GpuTiming prepare_gpu_timing(const Options& opt, const gpu::Info& gpu, const std::vector<Row>& rows) {
  GpuTiming g;
  g.setup.rule = gpu_stop_rule(opt);
  g.any_row = std::any_of(rows.begin(), rows.end(), pending_gpu_row);
#if ELUBENCH_HAVE_CUDA
  if (!g.any_row) return g;
  g.sampler = std::make_unique<GpuSampler>(g.setup, opt.cache, gpu.l2_bytes, gpu.ordinal);
  g.setup = g.sampler->setup();
  warm_up(g.setup, rows);
  if (g.setup.nvml != "available")
    std::fprintf(stderr, "elubench: GPU clocks and throttling not recorded: %s\n", g.setup.nvml.c_str());
#else
  (void)gpu;
#endif
  return g;
}

}  // namespace elubench::bench
