#include "run/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
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
  it->second.done = true;
  it->second.in_first = false;
  it->second.finish = seconds;
}

namespace {
using Entry = Eta::Entry;

// The cost model before anything is measured; only its shape across sizes matters, since the
// measured rows scale it. A first repetition checks n elements against float64 (tens of ns
// each) besides its calls; a later call lasts Google Benchmark's minimum time (0.01 s, a little
// more with its own work) or a pass over the bytes at a few GB/s a thread, whichever is longer;
// a finish checks the output once more, about half a first repetition.
double modelled_first(const Entry& e) { return 0.02 + 6e-8 * static_cast<double>(e.n); }
double modelled_later(const Entry& e) { return std::max(0.012, e.bytes / (4e9 * e.threads)); }
constexpr double kModelledFinishPerFirst = 0.5;

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// A cost as the measured rows tell it: the medians per cell, and the measured over the modelled
// seconds of every row measured, which scales the model for a cell with none.
template <class Key>
struct Cells {
  std::map<Key, std::vector<double>> cell;
  double measured = 0, modelled = 0;
  void add(const Key& k, double seconds, double model) {
    cell[k].push_back(seconds);
    measured += seconds, modelled += model;
  }
  std::optional<double> scale() const { return modelled > 0 ? std::optional(measured / modelled) : std::nullopt; }
  double at(const Key& k, double model, double fallback_scale) const {
    const auto it = cell.find(k);
    return it != cell.end() ? median(it->second) : model * scale().value_or(fallback_scale);
  }
};

struct Measured {
  using BySize = std::pair<Device, std::size_t>;
  using ByCell = std::tuple<Device, double, int>;
  Cells<BySize> first, finish;
  Cells<ByCell> later;
  double spent = 0, started_first = 0, started_model = 0;

  explicit Measured(const std::map<const Row*, Entry>& rows) {
    for (const auto& [row, e] : rows) {
      spent += e.spent;
      if (e.started) started_first += e.first, started_model += modelled_first(e);
      if (e.started && !e.in_first) first.add({e.device, e.n}, e.first, modelled_first(e));
      if (e.later_calls > 0) later.add({e.device, e.bytes, e.threads}, e.later_sum / e.later_calls, modelled_later(e));
      if (e.finish) finish.add({e.device, e.n}, *e.finish, modelled_first(e));
    }
  }
  // Before a first repetition has ended, the one under way tells the machine's speed.
  double first_scale() const { return first.scale().value_or(started_first / started_model); }
  double left(const Entry& e) const {
    const double per_later = e.later_calls > 0 ? e.later_sum / e.later_calls
                                               : later.at({e.device, e.bytes, e.threads}, modelled_later(e), first_scale());
    const double first_left = e.started ? 0 : first.at({e.device, e.n}, modelled_first(e), first_scale());
    const double finish_left =
        finish.at({e.device, e.n}, modelled_first(e), kModelledFinishPerFirst * first_scale());
    return first_left + std::max(0, e.repetitions - 1 - e.later_calls) * per_later + finish_left;
  }
};
}  // namespace

std::optional<double> Eta::seconds_left(double elapsed) const {
  const Measured m(rows_);
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
  if (now_() - last_line_ < kHeartbeatSeconds) return;
  std::fprintf(out_, "%s still running (last: %s)\n", prefix().c_str(), r.label().c_str());
  last_line_ = now_();
}

void Progress::finished(const Row& r) {
  if (trace_) trace_->event(now_(), r, "finished", std::string(to_string(r.status)));
  ++done_;
  eta_.finished(r, now_() - last_event_);
  last_event_ = now_();
  if (r.status != Status::ok && r.status != Status::interrupted)
    std::fprintf(out_, "%s %s: %s: %s\n", prefix().c_str(), std::string(to_string(r.status)).c_str(), r.label().c_str(),
                 r.reason.c_str());
}

}  // namespace elubench::bench
