// The rows of a run: which variants, sizes, threads and parameters the options select, and the
// memory they need together.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "plan/platform.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// The rows of the run, in registry order, sizes ascending, threads as given, and each of our SIMD
// rows once per --simd target (best first, next to each other; Row::simd_target). Copy ceilings
// join every (device, dtype) that has a selected kernel or peer, whatever --variant and
// --activation say, so each row has its ceiling. GPU rows start "skipped" with the platform's
// reason when no GPU is usable. Throws UsageError when nothing is selected.
std::vector<Row> select_rows(const Options& o, const Platform& p);

// Bytes of buffers the rows hold when all of them are alive at once, as they are when
// Google Benchmark interleaves their repetitions: on the host the SharedBuffers of the CPU rows
// and every row's bias; on the GPU one row's buffers (a GPU row runs one repetition, so it
// allocates and frees its device buffers before the next row starts).
struct Footprint {
  std::size_t host = 0, device = 0;
};
Footprint interleaved_footprint(const std::vector<Row>& rows);

// Whether the rows' repetitions may be interleaved: only when every row's buffers fit at once, a
// quarter of the host's memory and half of the GPU's free memory. Otherwise *note says why not.
bool fits_interleaved(const std::vector<Row>& rows, const Platform& plat, std::string* note);

// Refused before any work (UsageError): rows that need more host memory than the machine has.
// The shared inputs and outputs stay allocated for the run, interleaved or not (SharedBuffers),
// and a GPU row also holds its output on the host while it is checked.
void check_host_memory(const std::vector<Row>& rows);

}  // namespace elubench::bench
