// Progress on stderr while the rows run: "[done/total elapsed, ~T left] running <row>" when a row
// starts, a line at least every kHeartbeatSeconds while rows run (an interleaved run starts
// every row early and finishes them all near the end), and a line for each row that ends
// neither ok nor interrupted.
//
// The time left: a row that has started is expected to take its remaining repetitions at the
// pace of its last benchmark-body call (from the second repetition on, Google Benchmark calls
// the body once per repetition). The rows finished so far, fitted per device as a + b * bytes,
// give the rows not started their cost, and bound a started row's from below; before any row
// has finished (half an interleaved run), the started rows' expected totals are fitted instead. The fixed part
// stands for what does not scale with bytes (the reference checks, Google Benchmark's minimum
// time per repetition, the GPU stopping rule's time cap); the slope for what does.
#pragma once

#include <algorithm>
#include <cstdio>
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
  void spent(const Row& r, double seconds);  // one more benchmark-body call of it (adds up)
  void finished(const Row& r);               // measured when it ended ok
  // Seconds left, or nullopt until a row has run.
  std::optional<double> seconds_left() const;

 private:
  struct Entry {
    Device device;
    double bytes = 0, spent = 0, last_call = 0;
    int repetitions = 1, calls = 0;
    bool done = false;
    double at_its_pace() const { return spent + std::max(0, repetitions - calls) * last_call; }
  };
  std::map<const Row*, Entry> rows_;
};

// "42s", "3m05s", "2h07m".
std::string format_duration(double seconds);

inline constexpr double kHeartbeatSeconds = 30;

class Progress {
 public:
  // now: seconds on a monotonic clock (a fake one in tests); lines go to out. repetitions: the
  // CPU rows' (a GPU row's samples are one repetition).
  Progress(const std::vector<Row>& rows, std::function<double()> now, std::FILE* out, int repetitions = 1);
  void starting(const Row& r);               // the first call of a row's benchmark body
  void spent(const Row& r, double seconds);  // after each call of it: the time, and the heartbeat
  void finished(const Row& r);               // after Case::finish
  std::string prefix() const;                // "[3/40   12.3s, ~1m05s left]"
  double now() const { return now_(); }

 private:
  std::function<double()> now_;
  std::FILE* out_;
  double t0_, last_line_;
  std::size_t total_ = 0, done_ = 0;
  Eta eta_;
};

}  // namespace elubench::bench
