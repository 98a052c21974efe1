#include "trust/plausibility.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <tuple>
#include <utility>

namespace elubench::bench {

namespace {
// Per (device, dtype, n, threads): the fastest copy sample of the run, as GB/s. The fastest
// sample, not the median: on a shared machine some copy samples at cache-resident sizes are
// several times slower than the rest, and a slowed ceiling must not make an honest kernel look
// impossible. A kernel that skips its work is fast in every sample, so its median is the fair
// side to compare.
std::map<CellKey, double> fastest_copy_gbps(const std::vector<Row>& rows) {
  std::map<CellKey, double> best;
  for (const Row& r : rows) {
    if (r.status != Status::ok || r.variant->kind != Kind::ceiling || r.layer || !r.time || r.time->min <= 0) continue;
    const double gbps = static_cast<double>(r.bytes) / r.time->min / 1e9;
    double& b = best[cell_of(r)];
    if (gbps > b) b = gbps;
  }
  fold_in_fewer_threads(best, std::greater<double>(), [](double& b, double fewer) { b = fewer; });
  return best;
}

// The GPU bound a row is judged against, and its name; 0 when none applies.
std::pair<double, const char*> gpu_bound(const Row& r, const GpuBandwidthLimits& gpu) {
  if (r.variant->device != Device::gpu || r.cache_resident) return {0, ""};
  const bool partly_resident =
      gpu.l2_bytes > 0 && static_cast<double>(r.bytes) <= kPartlyResidentL2Multiple * static_cast<double>(gpu.l2_bytes);
  if (partly_resident) return {gpu.l2_peak_gbps, "the GPU's L2 bound (its working set can be partly L2-resident)"};
  return {gpu.dram_peak_gbps, "the GPU's theoretical peak"};
}
}  // namespace

int fail_impossible_bandwidth(std::vector<Row>& rows, double gpu_peak_gbps) {
  return fail_impossible_bandwidth(rows, GpuBandwidthLimits{gpu_peak_gbps, 0, 0});
}

int fail_impossible_bandwidth(std::vector<Row>& rows, const GpuBandwidthLimits& gpu) {
  const auto ceiling = fastest_copy_gbps(rows);
  int marked = 0;
  for (Row& r : rows) {
    if (r.status != Status::ok || !r.gbps) continue;
    char why[320] = {};
    const auto c = ceiling.find(cell_of(r));
    // A layer row has no copy ceiling (its n is y's elements, not what it moves); the peak holds.
    const bool over_ceiling = r.variant->kind != Kind::ceiling && !r.layer && c != ceiling.end() &&
                              *r.gbps > kMaxRatioOverCeiling * c->second;
    const auto [bound, bound_name] = gpu_bound(r, gpu);
    const bool over_peak = bound > 0 && *r.gbps > kMaxRatioOverPeak * bound;
    if (over_ceiling)
      std::snprintf(why, sizeof why,
                    "impossible bandwidth: %.4g GB/s (median) is %.1fx the fastest copy sample of this run, "
                    "%.4g GB/s (limit %.1fx)",
                    *r.gbps, *r.gbps / c->second, c->second, kMaxRatioOverCeiling);
    else if (over_peak)
      std::snprintf(why, sizeof why, "impossible bandwidth: %.4g GB/s is above %s of %.4g GB/s (limit %.2fx)",
                    *r.gbps, bound_name, bound, kMaxRatioOverPeak);
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
