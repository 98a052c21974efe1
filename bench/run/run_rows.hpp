// The rows of a run under Google Benchmark: one Case per row over the run's shared buffers,
// every pending row registered and run, each repetition and each finished row journaled as it
// comes, and the progress line on stderr.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "cli/options.hpp"
#include "plan/shared_buffers.hpp"
#include "results/journal.hpp"
#include "results/row.hpp"
#include "run/case.hpp"

namespace elubench::bench {

struct Cases {
  std::unique_ptr<SharedBuffers> shared;     // declared first: the cases hold references into it
  std::vector<std::unique_ptr<Case>> cases;  // one per row, pending or not
  std::size_t pending = 0;
};

// One Case per row, over buffers drawn from a seed that is new in every run.
Cases make_cases(std::vector<Row>& rows, Input input, GpuSampler* sampler);

// A resumed CPU row keeps the repetitions its journal holds, at most all but one: the row runs
// at least one more, so that its output is checked after timed calls of this run (the journaled
// ones passed the per-loop check of theirs: trust/timed_check.hpp).
void resume_partial_rows(Cases& cases, const ResumeState& resume, int repetitions);

// Runs the pending rows; false when nothing was measured and nothing is to be written
// (--benchmark_list_tests). A filter that selects no row is refused (UsageError). Rows a stop
// signal left pending are marked interrupted.
bool run_rows(Cases& cases, std::vector<Row>& rows, const Options& opt, Journal& journal);

}  // namespace elubench::bench
