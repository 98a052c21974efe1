// Progress on stderr while the rows run: "[done/total elapsed, ~T left] running <row>" when a row
// starts, a "still running" line at least every kHeartbeatSeconds while rows run or finish (an
// interleaved run starts every row early and finishes them all near the end), and a line for
// each row that ends neither ok nor interrupted.
//
// The time left (Eta) is built from what is known up front and refined by what is measured.
// Every row is known before the run: its device, n, bytes moved, threads and repetitions. A row
// costs a first repetition (buffers, the reference checks and Google Benchmark's growing first
// calls: it grows with n), one body call per further repetition (at least Google Benchmark's
// minimum time; more where a pass over its bytes takes longer), and a finish after its last
// repetition (the check of its last output, outside the body calls). A first repetition or a
// call is the row's own once measured; else the mean of the measured rows of its cell (first
// repetitions: same device and n; later calls: same device, bytes and threads) held toward a
// per-element cost model scaled by how the measured rows compare with it. A finish is the row's
// first repetition times what the last finishes cost per second of their first repetitions
// (a check of the same output, less the first touch of the buffers and the adversarial input:
// 0.6 in the model). What runs between body calls besides the
// finishes (Google Benchmark itself) scales the sum by the wall time per body-call second.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

class Eta {
 public:
  void plan(const Row& r, int repetitions);  // a row that will run, in that many repetitions
  void spent(const Row& r, double seconds);  // one more benchmark-body call of it
  // It ended, `seconds` after the call or finish before it (a failed or skipped row ended early:
  // it leaves the plan).
  void finished(const Row& r, double seconds);
  // Seconds left after `elapsed` seconds of the run, or nullopt until a body call has ended.
  std::optional<double> seconds_left(double elapsed) const;

  struct Entry {
    Device device;
    std::size_t n = 0;
    double bytes = 0;
    int threads = 1, repetitions = 1;
    // Google Benchmark runs a row's first repetition to its end before any other call: the
    // row's calls until another row's call are its first repetition; each later call is one.
    bool started = false, in_first = false, done = false;
    double first = 0, later_sum = 0, spent = 0;
    int later_calls = 0;
    std::optional<double> finish;
  };

 private:
  static constexpr std::size_t kRecentFinishes = 32;
  static constexpr double kFinishPerFirst = 0.6, kFinishPriorWeight = 16;
  double finish_per_first() const;

  std::map<const Row*, Entry> rows_;
  Entry* last_called_ = nullptr;
  double finishes_ = 0;  // seconds of the finishes so far
  std::deque<std::pair<double, double>> recent_finishes_;  // (finish, first repetition) of the last rows
};

// "42s", "3m05s", "2h07m".
std::string format_duration(double seconds);

// A "still running" line at least every kHeartbeatSeconds, more often as the end nears (every
// quarter of the time left, at least kHeartbeatMinSeconds apart).
inline constexpr double kHeartbeatSeconds = 30, kHeartbeatMinSeconds = 2;

// ELUBENCH_PROGRESS_TRACE=FILE records what the time left is computed from, one event a line
// (time on the run's clock, then the event): "plan <index> <registry name> <n> <threads or 0>
// <repetitions>" for each row at the start, "start <index>", "spent <index> <seconds>",
// "finished <index> <status>", and "end" when the rows are done. tests/test_progress_replay.cpp
// replays such a recording of a real run through this class.
class ProgressTrace {
 public:
  ProgressTrace(const std::string& path, const std::vector<Row>& rows, int repetitions, double t);
  ~ProgressTrace();
  ProgressTrace(const ProgressTrace&) = delete;
  ProgressTrace& operator=(const ProgressTrace&) = delete;
  void event(double t, const Row& r, const char* what, const std::string& detail = "");
  void end(double t);

 private:
  std::FILE* f_ = nullptr;
  std::map<const Row*, std::size_t> index_;
};

class Progress {
 public:
  // now: seconds on a monotonic clock (a fake one in tests); lines go to out. repetitions: the
  // CPU rows' (a GPU row's samples are one repetition).
  Progress(const std::vector<Row>& rows, std::function<double()> now, std::FILE* out, int repetitions = 1);
  ~Progress();
  void starting(const Row& r);               // the first call of a row's benchmark body
  void spent(const Row& r, double seconds);  // after each call of it: the time, and the heartbeat
  void finished(const Row& r);               // after Case::finish
  std::string prefix() const;                // "[3/40   12.3s, ~1m05s left]"
  double now() const { return now_(); }

 private:
  void heartbeat(const Row& r);  // a "still running" line when one is due

  std::function<double()> now_;
  std::FILE* out_;
  double t0_, last_line_, last_event_;
  std::size_t total_ = 0, done_ = 0;
  Eta eta_;
  std::optional<ProgressTrace> trace_;
};

}  // namespace elubench::bench
