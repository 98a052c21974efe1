// A number that cannot be true is an error, not a result: a row that moves its bytes faster
// than physics allows is marked failed, whatever its output check said (a kernel that skips
// work on some calls, a wrong bytes-moved entry in the registry, a timer that did not tick).
#pragma once

#include <vector>

#include "results/ceilings.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// The limit over the copy ceiling measured in the same run (its fastest sample, see
// plausibility.cpp), for every non-ceiling row. A kernel can legitimately beat a copy of the same
// size (the copy pays write-allocate traffic that a kernel may not, and cache-resident rows are
// noisy), by up to about 1.6x in the committed runs; a kernel that skips its work is thousands of
// times over. docs/plausibility.md has the measurements behind the limits here.
inline constexpr double kMaxRatioOverCeiling = 3.0;
// GPU rows whose working set cannot sit in L2 cannot beat the HBM/DRAM theoretical peak;
// 5% covers the rounding of the clock and bus width the peak is computed from.
inline constexpr double kMaxRatioOverPeak = 1.05;
// A GPU row whose working set (Row::bytes) is up to this many times the L2 can be partly
// L2-resident, and may then beat the DRAM peak honestly: in hot mode the replays find part of x
// and y still in L2, and in cold mode the flush leaves L2 full of clean lines, so up to an L2 of
// y is written into L2 before the stop event without reaching DRAM. Such a row is judged against
// the L2 bound (gpu::Info::l2_peak_gbps) instead. 4x is a margin over the 1-2x where this is
// expected, not a measurement.
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
