// Nothing lost: every finished row goes to OUT.journal as the run goes, one JSON line per row,
// fsync'd, so that a signal, a crash or a full disk at the final write loses no measurement.
// Line 1 is a header naming the run (its argv and --out); every other line is row_to_json of a
// finished row (ok, failed or skipped; the rates are derived again when the file is written).
// The journal is removed once the results file holds everything; it stays when that write
// fails. `elubench --resume FILE` reads a results file or a journal (load_resume).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results.hpp"

namespace elubench::bench {

std::string journal_path(const std::string& out);  // OUT + ".journal"

class Journal {
 public:
  // append: keep what the file holds (resuming from this journal); else create it, refusing
  // one that exists. Writes the header when the file is new. Throws UsageError.
  Journal(const std::string& path, const nlohmann::json& header, bool append);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // One line, written and fsync'd before returning. A failure (disk full) is reported once on
  // stderr and the run goes on: the rows are still in memory for the results file.
  void append(const nlohmann::json& row);
  void remove();  // the results file is written: the journal has nothing more to say
  const std::string& path() const { return path_; }
  bool healthy() const { return ok_; }  // every append so far reached the disk

 private:
  void write_line(const std::string& line);
  std::string path_;
  int fd_ = -1;
  bool ok_ = true;
};

// What --resume reads from FILE (a results file or a journal): the original argv, the output
// path to complete, and the finished rows. Interrupted rows are left out: they run again.
struct ResumeState {
  std::vector<std::string> argv;
  std::string out;
  bool from_journal = false;
  std::vector<Row> done;
};
ResumeState load_resume(const std::string& file);  // throws UsageError: one line

// The inverse of row_to_json for what a run measured (variant, shape, times, accuracy, status).
// Throws UsageError naming the field when it is malformed or names an unknown variant.
Row row_from_json(const nlohmann::json& j);

}  // namespace elubench::bench
