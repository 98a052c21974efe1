// What main checks and says around a run so that bad input costs nothing and an interrupted
// or unwritable run loses nothing: --resume's options and rows, Google Benchmark flags that
// would fail late, and the last words after a signal or a failed final write.
#pragma once

#include <string>
#include <vector>

#include "cli/parse.hpp"
#include "results/journal.hpp"
#include "results/row.hpp"

namespace elubench::bench {

// The options of the run FILE records (its argv parsed again), writing to its output: the
// results file is replaced by its completed self; a journal completes the --out it names.
// Google Benchmark flags given with --resume are added after the recorded ones (the last wins).
Options options_for_resume(const ResumeState& state, const Options& given);

// Replaces every planned row that FILE finished (same variant, n, threads, cols, cache) by the
// finished one, so only the missing and interrupted rows stay pending; a finished row that could
// not have come from this run (implausible_resumed_row) is not adopted: it runs again, with a
// warning naming it. (The impossible-bandwidth rule judges every row at the end, adopted or not.)
void adopt_finished_rows(std::vector<Row>& rows, const std::vector<Row>& done, int repetitions);

// Why a finished row read back from a file is not what this run would have written for its
// planned twin, or empty: another byte count, an ok row without `repetitions` positive finite
// samples (CPU; a GPU row at least one), without its accuracy, checked to another tolerance or
// outside it, or a failed row without a reason.
std::string implausible_resumed_row(const Row& done, const Row& planned, int repetitions);

// Refuses, before any work, a Google Benchmark flag that would fail after the run:
// --benchmark_out into a directory that does not exist or onto something not a regular file.
void check_benchmark_flags(const std::vector<std::string>& benchmark_args);

// Whether --benchmark_list_tests is on (then the run lists names and writes no file).
bool lists_tests(const std::vector<std::string>& benchmark_args);

// The one line for a --benchmark_filter that selects no row, with Google Benchmark's own reason
// when it gave one other than "no match" (an invalid regex).
std::string filter_matches_nothing(const std::string& filter, const std::string& gb_errors);

// One line on stderr each: where the data is when the results file could not be written, and
// what an interrupted run wrote and how to complete it.
void report_lost_write(const std::string& error, const std::string& journal, bool journal_complete);
void report_interrupted(int sig, const std::vector<Row>& rows, const std::string& out);

}  // namespace elubench::bench
