#include "results.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace elubench::bench {

Stats compute_stats(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("compute_stats: no samples");
  Stats s;
  s.samples = samples;
  std::sort(samples.begin(), samples.end());
  const std::size_t k = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  s.median = k % 2 ? samples[k / 2] : 0.5 * (samples[k / 2 - 1] + samples[k / 2]);
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(k);
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = k > 1 ? std::sqrt(ss / static_cast<double>(k - 1)) : 0.0;
  return s;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::pending: return "pending";
    case Status::ok: return "ok";
    case Status::skipped: return "skipped";
    case Status::failed: return "failed";
    case Status::interrupted: return "interrupted";
  }
  return "?";
}

std::string Row::label() const {
  std::string s = variant->name + " n=" + std::to_string(n);
  if (threads) s += " threads=" + std::to_string(*threads);
  if (cols) s += " cols=" + std::to_string(*cols);
  if (cache) s += std::string(" cache=") + std::string(to_string(*cache));
  return s;
}

std::vector<Ceiling> derive_metrics(std::vector<Row>& rows, double gpu_peak_gbps) {
  using Key = std::tuple<Device, Dtype, std::size_t, int>;
  std::map<Key, Ceiling> best;
  for (Row& r : rows) {
    if (r.status == Status::pending) {
      r.status = Status::skipped;
      if (r.reason.empty()) r.reason = "not run (deselected by --benchmark_filter?)";
    }
    if (r.status != Status::ok) continue;
    const double t = r.time->median;
    // A median of 0 would mean a timer that did not tick; keep the row but report no rate.
    if (t <= 0) continue;
    r.gbps = static_cast<double>(r.bytes) / t / 1e9;
    r.elements_per_s = static_cast<double>(r.n) / t;
    if (r.variant->device == Device::gpu && gpu_peak_gbps > 0) r.pct_of_peak = 100.0 * *r.gbps / gpu_peak_gbps;
    if (r.variant->kind != Kind::ceiling) continue;
    const Key k{r.variant->device, r.variant->dtype, r.n, r.threads.value_or(0)};
    auto it = best.find(k);
    if (it == best.end() || *r.gbps > it->second.gbps)
      best.insert_or_assign(k, Ceiling{r.variant->device, r.variant->dtype, r.n, r.threads, r.variant->name, t, *r.gbps});
  }
  for (Row& r : rows) {
    if (!r.gbps) continue;
    const auto it = best.find(Key{r.variant->device, r.variant->dtype, r.n, r.threads.value_or(0)});
    // Bandwidth against bandwidth: a kernel that moves more bytes than a copy (bias_then_act)
    // is judged by how well it streams them, as BabelStream does.
    if (it != best.end()) r.pct_of_ceiling = 100.0 * *r.gbps / it->second.gbps;
  }
  std::vector<Ceiling> out;
  for (auto& [k, c] : best) out.push_back(c);
  return out;
}

namespace {
nlohmann::json number_or_inf(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : "inf";
}
template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json row_to_json(const Row& r) {
  const Variant& v = *r.variant;
  nlohmann::json j;
  j["name"] = v.name;
  j["device"] = to_string(v.device);
  j["activation"] = to_string(v.activation);
  j["variant"] = v.variant;
  j["dtype"] = to_string(v.dtype);
  j["kind"] = to_string(v.kind);
  j["description"] = v.description;
  j["n"] = r.n;
  j["threads"] = opt(r.threads);
  j["threads_used"] = opt(r.threads_used);
  j["cache"] = r.cache ? nlohmann::json(to_string(*r.cache)) : nlohmann::json(nullptr);
  j["input"] = to_string(r.input);
  j["alpha"] = r.alpha;
  j["cols"] = opt(r.cols);
  j["bytes"] = r.bytes;
  j["cache_resident"] = r.cache_resident;
  const bool ok = r.status == Status::ok;
  if (ok && r.time) {
    const Stats& s = *r.time;
    j["time_s"] = {{"median", s.median}, {"min", s.min}, {"max", s.max},
                   {"mean", s.mean},     {"stddev", s.stddev}, {"samples", s.samples}};
  } else {
    j["time_s"] = nullptr;
  }
  j["gbps"] = opt(r.gbps);
  j["elements_per_s"] = opt(r.elements_per_s);
  j["pct_of_ceiling"] = opt(r.pct_of_ceiling);
  j["pct_of_peak"] = opt(r.pct_of_peak);
  if (r.accuracy) {
    j["accuracy"] = {{"max_ulp", number_or_inf(r.accuracy->max_ulp)},
                     {"max_abs_error", number_or_inf(r.accuracy->max_abs_error)},
                     {"tolerance", r.accuracy->tolerance},
                     {"checked", r.accuracy->checked}};
  } else {
    j["accuracy"] = nullptr;
  }
  j["gpu_timing"] = ok && r.gpu_timing ? gpu_row_timing_to_json(*r.gpu_timing) : nlohmann::json(nullptr);
  j["status"] = to_string(r.status == Status::pending ? Status::skipped : r.status);
  j["reason"] = ok ? nlohmann::json(nullptr) : nlohmann::json(r.reason.empty() ? "unknown" : r.reason);
  return j;
}

nlohmann::json ceiling_to_json(const Ceiling& c) {
  return {{"device", to_string(c.device)}, {"dtype", to_string(c.dtype)}, {"n", c.n},
          {"threads", opt(c.threads)},     {"variant", c.variant},        {"median_s", c.median_s},
          {"gbps", c.gbps}};
}

nlohmann::json make_document(const std::string& created_utc, nlohmann::json tool, nlohmann::json host,
                             nlohmann::json gpu, nlohmann::json build, nlohmann::json config,
                             const std::vector<Ceiling>& ceilings, const std::vector<Row>& rows) {
  nlohmann::json doc;
  doc["schema"] = "elubench-results";
  doc["schema_version"] = 2;  // 2: GPU stopping rule, clocks, flush and warm-up fields
  doc["created"] = created_utc;
  doc["tool"] = std::move(tool);
  doc["host"] = std::move(host);
  doc["gpu"] = std::move(gpu);
  doc["build"] = std::move(build);
  doc["config"] = std::move(config);
  doc["ceilings"] = nlohmann::json::array();
  for (const auto& c : ceilings) doc["ceilings"].push_back(ceiling_to_json(c));
  doc["results"] = nlohmann::json::array();
  for (const auto& r : rows) doc["results"].push_back(row_to_json(r));
  return doc;
}

namespace {
bool exists(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0;
}
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
}  // namespace

std::string default_out_path(const std::string& dir, const std::string& hostname, const std::string& utc_compact) {
  const std::string stem = dir + "/" + hostname + "-" + utc_compact;
  std::string p = stem + ".json";
  for (int k = 2; exists(p); ++k) p = stem + "-" + std::to_string(k) + ".json";
  return p;
}

void check_out_path(const std::string& path, bool force) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError("--out: '" + path + "' is a directory");
    // A device node, fifo or socket is never replaced by a results file, --force or not.
    if (!S_ISREG(st.st_mode)) throw UsageError("--out: '" + path + "' exists and is not a regular file");
    if (!force) throw UsageError("--out: '" + path + "' exists; pass --force to overwrite it");
  }
  const std::string dir = dir_of(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError("--out: directory '" + dir + "' does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw UsageError("--out: directory '" + dir + "' is not writable");
}

void write_atomically(const std::string& path, const std::string& text, bool force) {
  const std::string slash_name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::string tmp = dir_of(path) + "/." + slash_name + ".XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw std::runtime_error("cannot create a temporary file next to " + path + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(what + " " + path + ": " + std::strerror(e));
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail("cannot write");
    }
    done += static_cast<std::size_t>(w);
  }
  ::fchmod(fd, 0644);  // mkstemp makes it 0600; a results file is for sharing
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail("cannot flush");
  if (force) {
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename the temporary file to");
  } else {
    // link() refuses an existing target, so a file that appeared during the run survives.
    if (::link(tmp.c_str(), path.c_str()) != 0) fail("refusing to overwrite (or cannot create)");
    ::unlink(tmp.c_str());
  }
}

}  // namespace elubench::bench
