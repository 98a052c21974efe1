#include "plausibility.hpp"

#include <cstdio>

namespace elubench::bench {

int fail_impossible_bandwidth(std::vector<Row>& rows, double gpu_peak_gbps) {
  int marked = 0;
  for (Row& r : rows) {
    if (r.status != Status::ok || !r.gbps) continue;
    char why[256] = {};
    const bool over_ceiling = r.variant->kind != Kind::ceiling && r.pct_of_ceiling &&
                              *r.pct_of_ceiling > 100.0 * kMaxRatioOverCeiling;
    const bool over_peak = r.variant->device == Device::gpu && !r.cache_resident && gpu_peak_gbps > 0 &&
                           *r.gbps > kMaxRatioOverPeak * gpu_peak_gbps;
    if (over_ceiling)
      std::snprintf(why, sizeof why,
                    "impossible bandwidth: %.4g GB/s is %.1fx the copy ceiling measured in this run (limit %.1fx)",
                    *r.gbps, *r.pct_of_ceiling / 100.0, kMaxRatioOverCeiling);
    else if (over_peak)
      std::snprintf(why, sizeof why,
                    "impossible bandwidth: %.4g GB/s is above the GPU's theoretical peak of %.4g GB/s (limit %.2fx)",
                    *r.gbps, gpu_peak_gbps, kMaxRatioOverPeak);
    else
      continue;
    std::fprintf(stderr, "elubench: failed: %s: %s\n", r.label().c_str(), why);
    r.status = Status::failed;
    r.reason = why;
    r.time.reset();
    r.gbps.reset();
    r.elements_per_s.reset();
    r.pct_of_ceiling.reset();
    r.pct_of_peak.reset();
    ++marked;
  }
  return marked;
}

}  // namespace elubench::bench
