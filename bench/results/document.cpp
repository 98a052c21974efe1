#include "results/row.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <numeric>
#include <stdexcept>
#include <set>
#include <tuple>

#include "build_info.hpp"
#include "elubench/cpu.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sync.hpp"
#endif

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
  return s + params_label();
}


namespace {
// The shortest decimal that reads back as the float: 0.1f is written 0.1, not 0.10000000149011612.
std::string shortest(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}
}  // namespace

double json_float(float v) { return std::stod(shortest(v)); }

std::string Row::params_label() const {
  std::string s;
  if (variant->uses_alpha() && alpha != 1.0f) s += " alpha=" + shortest(alpha);
  if (variant->uses_negative_slope() && negative_slope != 0.01f) s += " negative_slope=" + shortest(negative_slope);
  return s;
}

nlohmann::json row_params_json(const Row& r) {
  nlohmann::json p = nlohmann::json::object();
  if (r.variant->uses_alpha()) p["alpha"] = json_float(r.alpha);
  if (r.variant->uses_negative_slope()) p["negative_slope"] = json_float(r.negative_slope);
  return p;
}

std::vector<Ceiling> derive_metrics(std::vector<Row>& rows, double gpu_peak_gbps) {
  std::map<CellKey, Ceiling> best;
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
    const CellKey k = cell_of(r);
    auto it = best.find(k);
    if (it == best.end() || *r.gbps > it->second.gbps)
      best.insert_or_assign(k, Ceiling{r.variant->device, r.variant->dtype, r.n, r.threads, r.variant->name, t, *r.gbps, std::nullopt});
  }
  fold_in_fewer_threads(
      best, [](const Ceiling& fewer, const Ceiling& c) { return fewer.gbps > c.gbps; },
      [](Ceiling& c, const Ceiling& fewer) {
        c = Ceiling{c.device, c.dtype, c.n, c.threads, fewer.variant, fewer.median_s, fewer.gbps,
                    fewer.copy_threads ? fewer.copy_threads : fewer.threads};
      });
  for (Row& r : rows) {
    if (!r.gbps) continue;
    const auto it = best.find(cell_of(r));
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
  j["alpha"] = json_float(r.alpha);
  j["params"] = row_params_json(r);
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
  nlohmann::json j = {{"device", to_string(c.device)}, {"dtype", to_string(c.dtype)}, {"n", c.n},
                      {"threads", opt(c.threads)},     {"variant", c.variant},        {"median_s", c.median_s},
                      {"gbps", c.gbps}};
  if (c.copy_threads) j["copy_threads"] = *c.copy_threads;
  return j;
}

namespace {

nlohmann::json host_json(const RunInfo& info) {
  return {{"hostname", info.hostname},
          {"cpu_model", cpu::cpu_model()},
          {"cores", info.cores},
          {"simd_target", cpu::simd_target()}};
}

nlohmann::json gpu_json(const std::optional<gpu::Info>& gpu) {
  if (!gpu) return nullptr;
  const gpu::Info& g = *gpu;
  return {{"name", g.name},
          {"ordinal", g.ordinal},
          {"compute_capability", std::to_string(g.compute_capability_major) + "." + std::to_string(g.compute_capability_minor)},
          {"sm_count", g.sm_count},
          {"l2_bytes", g.l2_bytes},
          {"memory_bytes", g.memory_bytes},
          {"memory_clock_khz", g.memory_clock_khz},
          {"bus_width_bits", g.bus_width_bits},
          {"peak_gbps", g.peak_gbps},
          {"driver_version", g.driver_version},
          {"runtime_version", g.runtime_version}};
}

nlohmann::json build_json() {
  namespace bi = build_info;
  nlohmann::json j = {{"compiler", bi::compiler},
          {"cuda", bi::cuda_version[0] ? nlohmann::json(bi::cuda_version) : nlohmann::json(nullptr)},
#if ELUBENCH_HAVE_CUDA
          {"cccl", cccl_version()},
#else
          {"cccl", nullptr},
#endif
          {"flags", bi::flags},
          {"build_type", bi::build_type},
          {"peers", {{"onednn", bi::have_onednn}, {"eigen", bi::have_eigen}, {"cudnn", bi::have_cudnn},
                     {"xnnpack", bi::have_xnnpack}, {"sleef", bi::have_sleef}}}};
  if (const auto left_out = gpu::left_out_variants(); !left_out.empty()) j["left_out"] = left_out;
  return j;
}

// What was selected (read from the rows, so --resume and the defaults are described as run)
// and how: the options that shape every row.
nlohmann::json config_json(const RunInfo& info, const std::vector<Row>& rows) {
  std::set<std::string> devs, acts, vars, dts;
  std::set<std::size_t> sizes;
  std::set<int> threads;
  for (const Row& r : rows) {
    devs.insert(std::string(to_string(r.variant->device)));
    acts.insert(std::string(to_string(r.variant->activation)));
    vars.insert(r.variant->variant);
    dts.insert(std::string(to_string(r.variant->dtype)));
    sizes.insert(r.n);
    if (r.threads) threads.insert(*r.threads);
  }
  const Options& o = info.options;
  std::vector<double> alpha;
  for (float a : o.alpha) alpha.push_back(json_float(a));
  return {{"devices", devs}, {"activations", acts}, {"variants", vars}, {"dtypes", dts}, {"sizes", sizes},
          {"alpha", alpha}, {"negative_slope", json_float(o.negative_slope)}, {"input", to_string(o.input)},
          {"cache", to_string(o.cache)}, {"threads", threads}, {"repetitions", o.repetitions}, {"quick", o.quick},
          {"command_line", o.command_line}, {"argv", info.argv},
          {"gpu_timing", info.gpu_timing ? gpu_timing_setup_to_json(*info.gpu_timing) : nlohmann::json(nullptr)}};
}

}  // namespace

nlohmann::json make_document(const RunInfo& info, const std::vector<Ceiling>& ceilings, const std::vector<Row>& rows) {
  nlohmann::json doc;
  doc["schema"] = "elubench-results";
  // 3: results[].params, config.alpha a list, config.negative_slope; 4: a CPU cell's ceiling is
  // the best copy with up to its threads (ceilings[].copy_threads).
  doc["schema_version"] = 4;
  doc["created"] = info.created_utc;
  doc["tool"] = {{"name", "elubench"}, {"version", build_info::version}, {"git_revision", build_info::git_revision}};
  doc["host"] = host_json(info);
  doc["gpu"] = gpu_json(info.gpu);
  doc["build"] = build_json();
  doc["config"] = config_json(info, rows);
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
