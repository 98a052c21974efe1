// Progress on stderr while the rows run: "[done/total elapsed, ~T left] running <row>" when a row
// starts, and a line for each row that ends neither ok nor interrupted.
//
// The time left comes from the rows finished so far: their measured durations (time spent in
// their benchmark bodies), fitted per device as a + b * bytes, give each unfinished row its
// expected cost, less what it has already spent (interleaved rows run a repetition at a time,
// so an unfinished row may be half done). The fixed part stands for what does not scale with
// bytes (the reference checks, Google Benchmark's minimum time per repetition, the GPU stopping
// rule's time cap); the slope for what does.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "results.hpp"

namespace elubench::bench {

class Eta {
 public:
  void plan(const Row& r);                  // a row that will run
  void spent(const Row& r, double seconds);  // more time spent in it (adds up)
  void finished(const Row& r);               // measured when it ended ok
  // Seconds left, or nullopt until a row has finished ok.
  std::optional<double> seconds_left() const;

 private:
  struct Entry {
    Device device;
    double bytes = 0, spent = 0;
    bool done = false;
  };
  std::map<const Row*, Entry> rows_;
};

// "42s", "3m05s", "2h07m".
std::string format_duration(double seconds);

class Progress {
 public:
  // now: seconds on a monotonic clock (a fake one in tests); lines go to out.
  Progress(const std::vector<Row>& rows, std::function<double()> now, std::FILE* out);
  void starting(const Row& r);               // the first call of a row's benchmark body
  void spent(const Row& r, double seconds) { eta_.spent(r, seconds); }
  void finished(const Row& r);               // after Case::finish
  std::string prefix() const;                // "[3/40   12.3s, ~1m05s left]"
  double now() const { return now_(); }

 private:
  std::function<double()> now_;
  std::FILE* out_;
  double t0_;
  std::size_t total_ = 0, done_ = 0;
  Eta eta_;
};

}  // namespace elubench::bench
