// The progress line's time left, replayed from a recorded real run: tests/data/*.trace are
// ELUBENCH_PROGRESS_TRACE recordings of `elubench` runs of the default suite (every row's plan,
// start, benchmark-body calls and end, on the run's clock). Each is fed through Progress on a
// fake clock, and every line it prints is held to two properties against the real time left
// (the recording's end minus the line's time):
//   - once 10% of the run is done, the estimate is within +-30% of the real time left (or
//     within kSlackSeconds of it, what a line rounded to seconds and the results write can add);
//   - between consecutive lines the estimate never moves by more than 2x (both above kSlackSeconds).
// A planted naive estimator (rows finished x mean time per finished row) is held to the same
// properties and must fail them: the check can see a bad estimator.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "results/row.hpp"
#include "run/progress.hpp"

using namespace elubench;
using namespace elubench::bench;

namespace {

constexpr double kSlackSeconds = 5;

struct Event {
  double t;
  std::string what;  // start, spent, finished
  std::size_t row;
  double seconds = 0;
  std::string status;
};

struct Recording {
  std::vector<Row> rows;
  int repetitions = 10;
  double t0 = 0, t_end = 0;
  std::vector<Event> events;
};

// Reads a trace; a registry name this build lacks (a peer not found at configure time) is
// reported through *missing.
Recording read_trace(const std::string& path, std::string* missing) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  Recording rec;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    double t;
    std::string what;
    s >> t >> what;
    if (what == "plan") {
      std::size_t i, n;
      std::string name;
      int threads, reps;
      s >> i >> name >> n >> threads >> reps;
      Row r;
      r.variant = find_variant(name);
      if (!r.variant) {
        *missing = name;
        return rec;
      }
      r.n = n;
      if (threads > 0) r.threads = threads;
      if (r.variant->uses_bias) r.cols = bias_cols(n);
      r.bytes = bytes_moved(*r.variant, n, r.cols.value_or(0));
      if (r.variant->device == Device::cpu) rec.repetitions = reps;
      rec.rows.push_back(r);
      rec.t0 = t;
    } else if (what == "end") {
      rec.t_end = t;
    } else {
      Event e{t, what, 0};
      s >> e.row;
      if (what == "spent") s >> e.seconds;
      if (what == "finished") s >> e.status;
      rec.events.push_back(e);
    }
  }
  return rec;
}

// One progress line: when it was printed and the time left it gave (nullopt: none yet).
struct Line {
  double t;
  std::optional<double> left;
};

// "[3/40   12.3s, ~1m05s left] ..." -> 65; no "left": nullopt.
std::optional<double> parse_left(const std::string& line) {
  const auto at = line.find(", ~");
  if (at == std::string::npos) return std::nullopt;
  double total = 0, value = 0;
  for (std::size_t i = at + 3; i < line.size() && line[i] != ' '; ++i) {
    const char c = line[i];
    if (c >= '0' && c <= '9') value = value * 10 + (c - '0');
    else total += value * (c == 'h' ? 3600 : c == 'm' ? 60 : 1), value = 0;
  }
  return total;
}

Status parse_status(const std::string& s) {
  for (Status st : {Status::ok, Status::failed, Status::skipped, Status::interrupted})
    if (to_string(st) == s) return st;
  return Status::failed;
}
}  // namespace

namespace {
// Everything written to a FILE*, read line by line as it comes.
struct LineCapture {
  char* buf = nullptr;
  std::size_t len = 0, read = 0;
  std::FILE* f = open_memstream(&buf, &len);
  ~LineCapture() {
    std::fclose(f);
    std::free(buf);
  }
  std::vector<std::string> new_lines() {
    std::fflush(f);
    std::vector<std::string> out;
    for (std::size_t nl; (nl = std::string_view(buf, len).find('\n', read)) != std::string_view::npos; read = nl + 1)
      out.emplace_back(buf + read, nl - read);
    return out;
  }
};

// The recording through Progress on a fake clock: every line it printed, with its time.
std::vector<Line> replay_progress(Recording rec) {
  double now = rec.t0;
  LineCapture out;
  std::vector<Line> lines;
  Progress p(rec.rows, [&] { return now; }, out.f, rec.repetitions);
  for (const Event& e : rec.events) {
    now = e.t;
    Row& r = rec.rows.at(e.row);
    if (e.what == "start") p.starting(r);
    if (e.what == "spent") p.spent(r, e.seconds);
    if (e.what == "finished") {
      r.status = parse_status(e.status);
      p.finished(r);
    }
    for (const std::string& l : out.new_lines()) lines.push_back({now, parse_left(l)});
  }
  return lines;
}

// The planted estimator: rows left x the mean time of a finished row (elapsed / finished), at
// the moments Progress prints a line.
std::vector<Line> replay_naive(const Recording& rec, const std::vector<Line>& at) {
  std::vector<Line> lines;
  std::size_t done = 0, next = 0;
  for (const Line& l : at) {
    for (; next < rec.events.size() && rec.events[next].t <= l.t; ++next) done += rec.events[next].what == "finished";
    const double elapsed = l.t - rec.t0;
    lines.push_back({l.t, done == 0 ? std::nullopt : std::optional<double>((rec.rows.size() - done) * elapsed / done)});
  }
  return lines;
}

// What is wrong with the lines' estimates, one sentence each (empty: both properties hold).
std::vector<std::string> eta_faults(const std::vector<Line>& lines, double t0, double t_end) {
  std::vector<std::string> faults;
  char buf[200];
  std::optional<double> previous;
  for (const Line& l : lines) {
    const double real = t_end - l.t, done = (l.t - t0) / (t_end - t0);
    if (done >= 0.10) {
      if (!l.left) std::snprintf(buf, sizeof buf, "at %.0f%% done: no estimate (real %.0f s)", 100 * done, real);
      else if (std::abs(*l.left - real) > std::max(0.30 * real, kSlackSeconds))
        std::snprintf(buf, sizeof buf, "at %.0f%% done: ~%.0f s left, real %.0f s", 100 * done, *l.left, real);
      else buf[0] = 0;
      if (buf[0]) faults.push_back(buf);
    }
    if (l.left && previous && std::min(*l.left, *previous) > kSlackSeconds &&
        std::max(*l.left, *previous) > 2 * std::min(*l.left, *previous)) {
      std::snprintf(buf, sizeof buf, "at %.0f%% done: ~%.0f s left after ~%.0f s on the line before", 100 * done,
                    *l.left, *previous);
      faults.push_back(buf);
    }
    if (l.left) previous = l.left;
  }
  return faults;
}

std::string first(const std::vector<std::string>& faults, std::size_t k = 5) {
  std::string s = std::to_string(faults.size()) + " faults, e.g.:";
  for (std::size_t i = 0; i < faults.size() && i < k; ++i) s += "\n  " + faults[i];
  return s;
}

class RecordedRun : public ::testing::TestWithParam<const char*> {
 protected:
  Recording load() {
    std::string missing;
    Recording rec = read_trace(std::string(ELUBENCH_TEST_DATA) + "/" + GetParam(), &missing);
    if (!missing.empty()) ADD_FAILURE() << GetParam() << " names " << missing << ", which this build lacks";
    return rec;
  }
};
}  // namespace

TEST_P(RecordedRun, TimeLeftWithin30PercentAfterTenthAndNoSwingOver2x) {
  const Recording rec = load();
  ASSERT_GT(rec.t_end, rec.t0);
  const std::vector<Line> lines = replay_progress(rec);
  ASSERT_GT(lines.size(), 20u) << "a recording of a real run prints many lines";
  const auto faults = eta_faults(lines, rec.t0, rec.t_end);
  EXPECT_TRUE(faults.empty()) << first(faults);
}

TEST_P(RecordedRun, APlantedNaiveEstimatorFailsTheSameCheck) {
  const Recording rec = load();
  const auto faults = eta_faults(replay_naive(rec, replay_progress(rec)), rec.t0, rec.t_end);
  EXPECT_FALSE(faults.empty()) << "rows left x mean per finished row passed: the check sees nothing";
}

INSTANTIATE_TEST_SUITE_P(Traces, RecordedRun, ::testing::Values("default_suite_xeon_2core.trace"));
