#include "run/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <tuple>

namespace elubench::bench {

void Eta::plan(const Row& r, int repetitions) {
  Entry e{r.variant->device, r.n, static_cast<double>(r.bytes)};
  e.threads = std::max(1, r.threads.value_or(1));
  e.repetitions = repetitions;
  rows_[&r] = e;
}

void Eta::spent(const Row& r, double seconds) {
  const auto it = rows_.find(&r);
  if (it == rows_.end()) return;
  Entry& e = it->second;
  if (last_called_ && last_called_ != &e) last_called_->in_first = false;
  if (!e.started) e.started = e.in_first = true;
  if (e.in_first) e.first += seconds;
  else e.later_sum += seconds, ++e.later_calls;
  e.spent += seconds;
  last_called_ = &e;
}

void Eta::finished(const Row& r, double seconds) {
  const auto it = rows_.find(&r);
  if (it == rows_.end()) return;
  finishes_ += seconds;
  if (last_called_ == &it->second) last_called_ = nullptr;
  // A row that failed or was skipped ended early: its calls say nothing about a measured row's,
  // so it leaves the plan instead of joining the cells.
  if (r.status != Status::ok) {
    rows_.erase(it);
    return;
  }
  Entry& e = it->second;
  e.done = true;
  e.in_first = false;
  if (e.first > 0) recent_finishes_.push_back({seconds, e.first});
  if (recent_finishes_.size() > kRecentFinishes) recent_finishes_.pop_front();
}

double Eta::finish_per_first() const {
  // The last rows' finishes over their first repetitions, held toward the model's ratio as if
  // kFinishPriorWeight rows of an average first repetition had it: one slow check moves it
  // little, a machine that slows down or speeds up moves it within a few dozen rows.
  double finish = 0, first = 0;
  for (const auto& [f, r] : recent_finishes_) finish += f, first += r;
  if (recent_finishes_.empty()) return kFinishPerFirst;
  const double prior = kFinishPriorWeight * first / static_cast<double>(recent_finishes_.size());
  return (finish + kFinishPerFirst * prior) / (first + prior);
}

namespace {
using Entry = Eta::Entry;

// The cost model before anything is measured; only its shape across sizes matters, since the
// measured rows scale it. A first repetition checks n elements against float64 (tens of ns
// each) besides its calls; a later call lasts Google Benchmark's minimum time (0.01 s, a little
// more with its own work) or a pass over the bytes at a few GB/s a thread, whichever is longer.
double modelled_first(const Entry& e) { return 0.02 + 6e-8 * static_cast<double>(e.n); }
double modelled_later(const Entry& e) { return std::max(0.012, e.bytes / (4e9 * e.threads)); }

// A cost as the measured rows tell it: per cell the mean of its measured rows held toward the
// scaled model as if one more row had cost that, and the measured over the modelled seconds of
// every row measured, which scales the model.
template <class Key>
struct Cells {
  std::map<Key, std::pair<double, int>> cell;  // seconds, rows
  double measured = 0, modelled = 0;
  void add(const Key& k, double seconds, double model) {
    auto& [sum, count] = cell[k];
    sum += seconds, ++count;
    measured += seconds, modelled += model;
  }
  std::optional<double> scale() const { return modelled > 0 ? std::optional(measured / modelled) : std::nullopt; }
  double at(const Key& k, double model, double fallback_scale) const {
    const double prior = model * scale().value_or(fallback_scale);
    const auto it = cell.find(k);
    return it == cell.end() ? prior : (it->second.first + prior) / (it->second.second + 1);
  }
};

struct Measured {
  Cells<std::pair<Device, std::size_t>> first;       // (device, n)
  Cells<std::tuple<Device, double, int>> later;      // (device, bytes, threads)
  double spent = 0, started_first = 0, started_model = 0, finish_per_first = 0;

  Measured(const std::map<const Row*, Entry>& rows, double finish_ratio) : finish_per_first(finish_ratio) {
    for (const auto& [row, e] : rows) {
      spent += e.spent;
      if (e.started) started_first += e.first, started_model += modelled_first(e);
      if (e.started && !e.in_first) first.add({e.device, e.n}, e.first, modelled_first(e));
      if (e.later_calls > 0) later.add({e.device, e.bytes, e.threads}, e.later_sum / e.later_calls, modelled_later(e));
    }
  }
  // Before a first repetition has ended, the one under way tells the machine's speed.
  double first_scale() const { return first.scale().value_or(started_first / started_model); }
  double left(const Entry& e) const {
    const double per_later = e.later_calls > 0 ? e.later_sum / e.later_calls
                                               : later.at({e.device, e.bytes, e.threads}, modelled_later(e), first_scale());
    const double first_cost = e.started ? e.first : first.at({e.device, e.n}, modelled_first(e), first_scale());
    return (e.started ? 0 : first_cost) + std::max(0, e.repetitions - 1 - e.later_calls) * per_later +
           first_cost * finish_per_first;
  }
};
}  // namespace

std::optional<double> Eta::seconds_left(double elapsed) const {
  const Measured m(rows_, finish_per_first());
  if (m.spent <= 0 || m.started_model <= 0) return std::nullopt;  // no call has ended yet
  double left = 0;
  for (const auto& [row, e] : rows_)
    if (!e.done) left += m.left(e);
  // Wall time per second of body calls, finishes aside: Google Benchmark's own work between them.
  return left * std::clamp((elapsed - finishes_) / m.spent, 1.0, 1.5);
}

std::string format_duration(double s) {
  const long t = std::lround(std::max(0.0, s));
  char buf[32];
  if (t < 60) std::snprintf(buf, sizeof buf, "%lds", t);
  else if (t < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
  return buf;
}

namespace {
int planned_repetitions(const Row& r, int repetitions) { return r.variant->device == Device::gpu ? 1 : repetitions; }
}  // namespace

ProgressTrace::ProgressTrace(const std::string& path, const std::vector<Row>& rows, int repetitions, double t)
    : f_(std::fopen(path.c_str(), "w")) {
  if (!f_) std::fprintf(stderr, "elubench: ELUBENCH_PROGRESS_TRACE: cannot write %s\n", path.c_str());
  for (const Row& r : rows) {
    if (!f_ || r.status != Status::pending) continue;
    const std::size_t i = index_.size();
    index_[&r] = i;
    std::fprintf(f_, "%.6f plan %zu %s %zu %d %d\n", t, i, r.variant->name.c_str(), r.n, r.threads.value_or(0),
                 planned_repetitions(r, repetitions));
  }
}

ProgressTrace::~ProgressTrace() {
  if (f_) std::fclose(f_);
}

void ProgressTrace::event(double t, const Row& r, const char* what, const std::string& detail) {
  if (const auto it = index_.find(&r); f_ && it != index_.end())
    std::fprintf(f_, "%.6f %s %zu%s%s\n", t, what, it->second, detail.empty() ? "" : " ", detail.c_str());
}

void ProgressTrace::end(double t) {
  if (f_) std::fprintf(f_, "%.6f end\n", t);
}

Progress::Progress(const std::vector<Row>& rows, std::function<double()> now, std::FILE* out, int repetitions)
    : now_(std::move(now)), out_(out), t0_(now_()), last_line_(t0_), last_event_(t0_) {
  for (const Row& r : rows)
    if (r.status == Status::pending) {
      eta_.plan(r, planned_repetitions(r, repetitions));
      ++total_;
    }
  if (const char* path = std::getenv("ELUBENCH_PROGRESS_TRACE"); path && *path) trace_.emplace(path, rows, repetitions, t0_);
}

Progress::~Progress() {
  if (trace_) trace_->end(now_());
}

std::string Progress::prefix() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%zu/%zu %6.1fs", done_, total_, now_() - t0_);
  std::string s = buf;
  if (const auto left = eta_.seconds_left(now_() - t0_)) s += ", ~" + format_duration(*left) + " left";
  return s + "]";
}

void Progress::starting(const Row& r) {
  if (trace_) trace_->event(now_(), r, "start");
  std::fprintf(out_, "%s running %s\n", prefix().c_str(), r.label().c_str());
  last_line_ = now_();
}

void Progress::spent(const Row& r, double seconds) {
  if (trace_) trace_->event(now_(), r, "spent", std::to_string(seconds));
  eta_.spent(r, seconds);
  last_event_ = now_();
  heartbeat(r);
}

void Progress::heartbeat(const Row& r) {
  if (now_() - last_line_ < kHeartbeatMinSeconds) return;
  const auto left = eta_.seconds_left(now_() - t0_);
  const double every = std::clamp(left.value_or(4 * kHeartbeatSeconds) / 4, kHeartbeatMinSeconds, kHeartbeatSeconds);
  if (now_() - last_line_ < every) return;
  std::fprintf(out_, "%s still running (last: %s)\n", prefix().c_str(), r.label().c_str());
  last_line_ = now_();
}

void Progress::finished(const Row& r) {
  if (trace_) trace_->event(now_(), r, "finished", std::string(to_string(r.status)));
  ++done_;
  eta_.finished(r, now_() - last_event_);
  last_event_ = now_();
  if (r.status == Status::ok || r.status == Status::interrupted) return heartbeat(r);
  std::fprintf(out_, "%s %s: %s: %s\n", prefix().c_str(), std::string(to_string(r.status)).c_str(), r.label().c_str(),
               r.reason.c_str());
  last_line_ = now_();
}

}  // namespace elubench::bench
