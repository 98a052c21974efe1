// Nothing lost: what a run measures goes to OUT.journal as the run goes, one line per finished
// row (fsync'd) and one per repetition of a row still running (written; the next row's fsync
// takes it to the disk), so that a signal, a crash or a full disk loses at most the repetition
// under way (a power cut: the repetitions since the last finished row).
//
// Format (version 2): every line is "<CRC-32 of the JSON, 8 hex digits> <JSON>", so a damaged
// line is told from a good one. Line 1 is the header: the run's argv, its --out and the build's
// git revision. Then, in any order:
//   a finished row (ok, failed or skipped): row_to_json of it (results/row_json.hpp; the rates
//     are derived again when the file is written);
//   a repetition of a CPU row that has not finished: {"sample": {"row": <Row::label>, "s":
//     <seconds per call>}}, in the order they were taken (run/repetitions.hpp says how a
//     repetition is recognised). GPU rows take their samples in one repetition: none.
// The journal is removed once a complete results file is written; it stays when that write
// fails, and when the run was interrupted (the results file then marks the unfinished rows, and
// the journal keeps their repetitions so far). `elubench --resume FILE` reads a results file
// (and its journal, if there is one) or a journal (load_resume).
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

std::string journal_path(const std::string& out);  // OUT + ".journal"

// The pid of the process that holds the journal's lock (a running elubench), or 0.
long journal_holder(const std::string& path);

class Journal {
 public:
  // append: a resumed run's journal, kept and appended to, after cutting off a torn last line
  // (a crash or a full disk mid-write) so that the next line starts on a line of its own; else
  // created, refusing one that exists. Either way locked while the run lasts (fcntl), refusing one
  // that a running elubench holds. Writes the header when new. Throws UsageError.
  Journal(const std::string& path, const nlohmann::json& header, bool append);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // One line, written and fsync'd before returning. A failure (disk full) is reported once on
  // stderr and the run goes on: the rows are still in memory for the results file.
  void append(const nlohmann::json& row);
  // One repetition of a row that has not finished: its label and seconds per call.
  void append_sample(const std::string& row_label, double seconds);
  void remove();  // the results file is complete: the journal has nothing more to say
  const std::string& path() const { return path_; }
  bool created() const { return created_; }  // by this run (not a resumed run's journal)
  bool healthy() const { return ok_; }  // every append so far reached the disk

 private:
  void write_line(const std::string& line, bool sync = true);
  void lock();
  void cut_torn_tail();
  std::string path_;
  int fd_ = -1;
  bool ok_ = true;
  bool created_ = false;
};

// One journal line: the CRC-32 of json.dump() in 8 hex digits, a space, the JSON.
std::string journal_line(const nlohmann::json& j);

// What --resume reads from FILE (a results file or a journal): the original argv, the output
// path to complete, the finished rows, and the repetitions so far of the rows that had not
// finished (by Row::label; from this build only). Interrupted rows are left out: they run again.
struct ResumeState {
  std::vector<std::string> argv;
  std::string out;
  bool from_journal = false;
  std::string journal;  // the journal to append to (FILE itself, or the results file's); empty: none
  std::vector<Row> done;
  std::map<std::string, std::vector<double>> partial;
};
// Throws UsageError (one line) for a file that is no run, or whose journal a running elubench
// holds. A damaged line in a journal is skipped with a warning naming it: its row runs again.
ResumeState load_resume(const std::string& file);

}  // namespace elubench::bench
