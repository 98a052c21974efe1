// A number that cannot be true is an error, not a result: a row that moves its bytes faster
// than physics allows is marked failed, whatever its output check said (a kernel that skips
// work on some calls, a wrong bytes-moved entry in the registry, a timer that did not tick).
#pragma once

#include <vector>

#include "results/ceilings.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// The limit over the copy ceiling measured in the same run (its fastest sample, see
// plausibility.cpp), for every non-ceiling row. Chosen from measurement: a kernel can
// legitimately beat a copy of the same size (the copy pays write-allocate traffic that a kernel
// may not, and cache-resident rows are noisy); in the committed 612-row CPU run
// (results/cpu-amd-epyc-2core-vm.json) the largest ratio of an ok row to the median copy is
// 1.58x (cpu/relu/vectorized/f16, 2^24) and 1.43x for a cache-resident one, lower against the
// fastest copy sample. 3x leaves about twice that and is still far below what a kernel that
// skips its work reports (210,778% of the ceiling was seen).
inline constexpr double kMaxRatioOverCeiling = 3.0;
// GPU rows whose working set cannot sit in L2 cannot beat the HBM/DRAM theoretical peak;
// 5% covers the rounding of the clock and bus width the peak is computed from.
inline constexpr double kMaxRatioOverPeak = 1.05;
// A GPU row whose working set (Row::bytes) is up to this many times the L2 can be partly
// L2-resident, and may then beat the DRAM peak honestly: in hot mode the replays find part of x
// and y still in L2 (2^24 f16, 64 MB, against a 50 MB L2), and in cold mode the flush leaves L2
// full of clean lines, so up to an L2 of y is written into L2 before the stop event without
// reaching DRAM. Such a row is judged against the L2 bound (gpu::Info::l2_peak_gbps) instead.
// 4x is a margin over the 1-2x where it was expected, not a measurement.
inline constexpr double kPartlyResidentL2Multiple = 4.0;

// What a GPU row cannot exceed; zeros where unknown (a bound that is 0 is not applied).
struct GpuBandwidthLimits {
  double dram_peak_gbps = 0;
  double l2_peak_gbps = 0;
  std::size_t l2_bytes = 0;
};

// Marks every ok row above those limits failed with the reason ("impossible bandwidth: ...")
// and clears its time and rates. Call after derive_metrics. Returns how many it marked.
int fail_impossible_bandwidth(std::vector<Row>& rows, const GpuBandwidthLimits& gpu);
// The DRAM peak alone (no L2 facts: every GPU row that is not cache_resident is judged by it).
int fail_impossible_bandwidth(std::vector<Row>& rows, double gpu_peak_gbps);

}  // namespace elubench::bench
