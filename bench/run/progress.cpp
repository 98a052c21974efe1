#include "run/progress.hpp"

#include <algorithm>
#include <cmath>

namespace elubench::bench {

void Eta::plan(const Row& r, int repetitions) {
  Entry e{r.variant->device, static_cast<double>(r.bytes)};
  e.repetitions = repetitions;
  rows_[&r] = e;
}

void Eta::spent(const Row& r, double seconds) {
  if (const auto it = rows_.find(&r); it != rows_.end()) {
    it->second.spent += seconds;
    it->second.last_call = seconds;
    ++it->second.calls;
  }
}

void Eta::finished(const Row& r) {
  const auto it = rows_.find(&r);
  if (it == rows_.end()) return;
  // A row that failed or was skipped ended early: its time says nothing about a measured row's,
  // so it leaves the plan instead of joining the fit.
  if (r.status == Status::ok) it->second.done = true;
  else rows_.erase(it);
}

namespace {
struct Fit {
  double a = 0, b = 0;  // seconds = a + b * bytes
};

// Least squares over (bytes, seconds), kept non-negative: a negative slope (noise among rows of
// nearly one size) becomes the mean, a negative intercept a line through the origin.
std::optional<Fit> fit(const std::vector<std::pair<double, double>>& pts) {
  if (pts.empty()) return std::nullopt;
  double mx = 0, mt = 0;
  for (const auto& [x, t] : pts) mx += x, mt += t;
  mx /= static_cast<double>(pts.size());
  mt /= static_cast<double>(pts.size());
  double sxx = 0, sxt = 0;
  for (const auto& [x, t] : pts) sxx += (x - mx) * (x - mx), sxt += (x - mx) * (t - mt);
  Fit f{mt, 0};
  if (sxx > 0 && sxt > 0) f = Fit{mt - sxt / sxx * mx, sxt / sxx};
  if (f.a < 0) f = Fit{0, mx > 0 ? mt / mx : 0};
  return f;
}
}  // namespace

std::optional<double> Eta::seconds_left() const {
  std::map<Device, std::vector<std::pair<double, double>>> by_device;
  std::vector<std::pair<double, double>> all;
  for (const auto& [row, e] : rows_)
    if (e.done) by_device[e.device].push_back({e.bytes, e.spent}), all.push_back({e.bytes, e.spent});
  const auto overall = fit(all);
  // In an interleaved run rows start and finish at random, the first finishing about halfway:
  // until then the rows not started take the fit of the started rows' expected totals.
  std::vector<std::pair<double, double>> paced;
  if (!overall)
    for (const auto& [row, e] : rows_)
      if (e.calls > 0) paced.push_back({e.bytes, e.at_its_pace()});
  const auto early = fit(paced);
  double left = 0;
  for (const auto& [row, e] : rows_) {
    if (e.done) continue;
    double expected = e.calls > 0 ? e.at_its_pace() : 0;
    if (overall) {
      // A device with no finished row yet borrows the others' fit: a rough number beats none.
      const auto it = by_device.find(e.device);
      const Fit f = it != by_device.end() ? *fit(it->second) : *overall;
      expected = std::max(expected, f.a + f.b * e.bytes);
    } else if (e.calls == 0) {
      if (!early) return std::nullopt;  // nothing has run yet
      expected = early->a + early->b * e.bytes;
    }
    left += std::max(0.0, expected - e.spent);
  }
  return left;
}

std::string format_duration(double s) {
  const long t = std::lround(std::max(0.0, s));
  char buf[32];
  if (t < 60) std::snprintf(buf, sizeof buf, "%lds", t);
  else if (t < 3600) std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
  return buf;
}

Progress::Progress(const std::vector<Row>& rows, std::function<double()> now, std::FILE* out, int repetitions)
    : now_(std::move(now)), out_(out), t0_(now_()), last_line_(t0_) {
  for (const Row& r : rows)
    if (r.status == Status::pending) {
      eta_.plan(r, r.variant->device == Device::gpu ? 1 : repetitions);
      ++total_;
    }
}

std::string Progress::prefix() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "[%zu/%zu %6.1fs", done_, total_, now_() - t0_);
  std::string s = buf;
  if (const auto left = eta_.seconds_left()) s += ", ~" + format_duration(*left) + " left";
  return s + "]";
}

void Progress::starting(const Row& r) {
  std::fprintf(out_, "%s running %s\n", prefix().c_str(), r.label().c_str());
  last_line_ = now_();
}

void Progress::spent(const Row& r, double seconds) {
  eta_.spent(r, seconds);
  if (now_() - last_line_ < kHeartbeatSeconds) return;
  std::fprintf(out_, "%s still running (last: %s)\n", prefix().c_str(), r.label().c_str());
  last_line_ = now_();
}

void Progress::finished(const Row& r) {
  ++done_;
  eta_.finished(r);
  if (r.status != Status::ok && r.status != Status::interrupted)
    std::fprintf(out_, "%s %s: %s: %s\n", prefix().c_str(), std::string(to_string(r.status)).c_str(), r.label().c_str(),
                 r.reason.c_str());
}

}  // namespace elubench::bench
