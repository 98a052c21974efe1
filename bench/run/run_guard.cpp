#include "run/run_guard.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

#include "elubench/reference.hpp"

namespace elubench::bench {

Options options_for_resume(const ResumeState& state, const Options& given) {
  std::vector<const char*> argv;
  for (const auto& a : state.argv) argv.push_back(a.c_str());
  if (argv.empty()) throw UsageError("--resume: the recorded command line is empty");
  Options o;
  try {
    o = parse_args(static_cast<int>(argv.size()), argv.data());
  } catch (const UsageError& e) {
    throw UsageError(std::string("--resume: the recorded command line no longer parses: ") + e.what());
  }
  if (!o.resume.empty() || o.list || o.help) throw UsageError("--resume: the recorded command line is not a run");
  for (const auto& a : given.benchmark_args) o.benchmark_args.push_back(a);
  o.out = state.out;
  o.force = !state.from_journal;  // the results file is ours to complete
  o.resume = given.resume;
  return o;
}

std::string implausible_resumed_row(const Row& done, const Row& planned, int repetitions) {
  if (done.bytes != planned.bytes)
    return "it moves " + std::to_string(done.bytes) + " bytes a call, this run's plan says " + std::to_string(planned.bytes);
  if (done.status != Status::ok) return done.reason.empty() ? "a row that did not end ok, without a reason" : "";
  const bool gpu = done.variant->device == Device::gpu;
  const std::size_t count = done.time ? done.time->samples.size() : 0;
  if (gpu ? count == 0 : count != static_cast<std::size_t>(repetitions))
    return "an ok row with " + std::to_string(count) + " samples, this run takes " +
           (gpu ? std::string("at least 1") : std::to_string(repetitions));
  for (double s : done.time->samples)
    if (!std::isfinite(s) || s <= 0) return "a sample that is not a positive time";
  if (!done.accuracy) return "an ok row without its accuracy";
  const Tolerance tol = tolerance_for(*done.variant, done.params);
  if (done.accuracy->tolerance != tol.describe())
    return "checked to '" + done.accuracy->tolerance + "', this elubench checks to '" + tol.describe() + "'";
  const double ulp = done.accuracy->max_ulp;
  if (std::isnan(ulp) || (ulp > tol.max_ulp && tol.max_abs == 0 && tol.max_rel == 0))
    return "an ok row whose max ULP is outside its tolerance";
  return {};
}

void adopt_finished_rows(std::vector<Row>& rows, const std::vector<Row>& done, int repetitions) {
  std::map<std::string, const Row*> by_label;
  for (const Row& d : done) by_label[d.label()] = &d;
  for (Row& r : rows) {
    const auto it = by_label.find(r.label());
    if (it == by_label.end()) continue;
    if (const std::string why = implausible_resumed_row(*it->second, r, repetitions); !why.empty()) {
      std::fprintf(stderr, "elubench: warning: --resume: %s not adopted (%s); it runs again\n", r.label().c_str(), why.c_str());
      continue;
    }
    r = *it->second;
  }
}

namespace {
std::string flag_value(const std::string& arg, const std::string& flag) {
  return arg.rfind(flag + "=", 0) == 0 ? arg.substr(flag.size() + 1) : std::string();
}
}  // namespace

void check_benchmark_flags(const std::vector<std::string>& benchmark_args) {
  for (const auto& a : benchmark_args) {
    const std::string path = flag_value(a, "--benchmark_out");
    if (path.empty()) continue;
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw UsageError("--benchmark_out: directory '" + dir + "' does not exist");
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      throw UsageError("--benchmark_out: '" + path + "' exists and is not a regular file");
  }
}

bool lists_tests(const std::vector<std::string>& benchmark_args) {
  bool on = false;  // the last one wins, as in Google Benchmark
  for (const auto& a : benchmark_args) {
    if (a == "--benchmark_list_tests") on = true;
    else if (a.rfind("--benchmark_list_tests=", 0) == 0) {
      const std::string v = flag_value(a, "--benchmark_list_tests");
      on = v == "true" || v == "1" || v == "yes" || v == "t" || v == "y" || v == "True" || v == "TRUE";
    }
  }
  return on;
}

std::string filter_matches_nothing(const std::string& filter, const std::string& gb_errors) {
  std::string why = "--benchmark_filter '" + filter + "' selects no row";
  const std::string first = gb_errors.substr(0, gb_errors.find('\n'));
  if (!first.empty() && first.rfind("Failed to match", 0) != 0) why += ": " + first;
  return why;
}

void report_lost_write(const std::string& error, const std::string& journal, bool journal_complete) {
  if (journal_complete)
    std::fprintf(stderr,
                 "elubench: the results file was not written (%s); every finished row is in %s: once there is "
                 "room, write the results file with: elubench --resume %s\n",
                 error.c_str(), journal.c_str(), journal.c_str());
  else
    std::fprintf(stderr,
                 "elubench: the results file was not written (%s), and the journal %s could not be written "
                 "completely either: only the summary above is left of this run\n",
                 error.c_str(), journal.c_str());
}

void report_interrupted(int sig, const std::vector<Row>& rows, const std::string& out) {
  const auto left = std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.status == Status::interrupted; });
  std::fprintf(stderr,
               "elubench: stopped by %s: %zu of %zu rows finished, %lld marked interrupted in %s; run them with: "
               "elubench --resume %s\n",
               sigabbrev_np(sig) ? (std::string("SIG") + sigabbrev_np(sig)).c_str() : "a signal",
               rows.size() - static_cast<std::size_t>(left), rows.size(), static_cast<long long>(left), out.c_str(),
               out.c_str());
}

}  // namespace elubench::bench
