#include "run/run_rows.hpp"

#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "results/row_json.hpp"
#include "run/progress.hpp"
#include "run/repetitions.hpp"
#include "run/run_guard.hpp"
#include "run/signals.hpp"
#include "timing/google_benchmark.hpp"

namespace elubench::bench {

Cases make_cases(std::vector<Row>& rows, Input input, GpuSampler* sampler) {
  std::random_device rd;
  const unsigned seed0 = rd();
  Cases c;
  c.shared = std::make_unique<SharedBuffers>(input, seed0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    c.cases.push_back(std::make_unique<Case>(rows[i], *c.shared, seed0 + static_cast<unsigned>(i) * 7919u, sampler));
  for (const Row& r : rows) c.pending += r.status == Status::pending;
  return c;
}

void resume_partial_rows(Cases& cases, const ResumeState& resume, int repetitions) {
  const std::size_t keep = static_cast<std::size_t>(repetitions) - 1;
  for (auto& c : cases.cases) {
    const Row& r = c->row();
    const auto it = resume.partial.find(r.label());
    if (r.status != Status::pending || r.variant->device != Device::cpu || it == resume.partial.end()) continue;
    std::vector<double> samples = it->second;
    if (samples.size() > keep) samples.resize(keep);
    c->resume_with(std::move(samples));
  }
}

namespace {
// The benchmark body of one row: announces its first call (a slow row is visible while it
// runs), tells the repetition log about each call, and times the call for the progress line.
void register_row(Case* c, const Options& opt, Progress& progress, RepetitionLog& log, const std::string& name) {
  auto first = std::make_shared<bool>(true);
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [c, &progress, &log, first](benchmark::State& st) {
    if (*first) progress.starting(c->row());
    *first = false;
    log.starting(c->row(), static_cast<long long>(st.max_iterations));
    const double t0 = progress.now();
    c->run(st);
    if (const auto loop = c->take_loop()) log.ended(c->row(), loop->iterations, loop->seconds_per_call);
    progress.spent(c->row(), progress.now() - t0);
  });
  set_row_timing(b, c->row(), opt, c->resumed());
}

// What the reporter does with Google Benchmark's reports: samples to their case, and a row that
// was reported is finished, journaled and counted.
SampleReporter::Sink report_to(const std::map<std::string, Case*>& by_name, Progress& progress, Journal& journal,
                               RepetitionLog& log) {
  return {[&by_name](const std::string& name) { return by_name.count(name) > 0; },
          [&by_name](const std::string& name, double s) { by_name.at(name)->add_sample(s); },
          [&by_name, &progress, &journal, &log](const std::string& name) {
            Case* c = by_name.at(name);
            log.reported(c->row());
            c->finish();
            if (c->row().status != Status::interrupted) journal.append(row_to_json(c->row()));
            progress.finished(c->row());
          }};
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void mark_interrupted(std::vector<Row>& rows) {
  for (Row& r : rows)
    if (r.status == Status::pending) {
      r.status = Status::interrupted;
      r.reason = "interrupted before this row ran";
    }
}
}  // namespace

bool run_rows(Cases& cases, std::vector<Row>& rows, const Options& opt, Journal& journal) {
  Progress progress(rows, steady_seconds, stderr, opt.repetitions);
  RepetitionLog log([&journal](const Row& r, double s) { journal.append_sample(r.label(), s); },
                    warmup_requested(opt.benchmark_args));
  std::map<std::string, Case*> by_name;  // Google Benchmark's name of each pending row
  for (auto& c : cases.cases) {
    if (c->row().status != Status::pending) continue;
    const std::string name = benchmark_name(c->row());
    by_name[name] = c.get();
    register_row(c.get(), opt, progress, log, name);
  }
  SampleReporter reporter(report_to(by_name, progress, journal, log));
  std::ostringstream gb_errors;  // Google Benchmark's own complaints; ours say it in one line
  reporter.SetErrorStream(&gb_errors);
  const std::size_t matched = cases.pending > 0 ? benchmark::RunSpecifiedBenchmarks(&reporter) : 0;
  benchmark::Shutdown();
  if (lists_tests(opt.benchmark_args) || (cases.pending > 0 && matched == 0)) {
    if (journal.created()) journal.remove();  // nothing was measured: no new journal, no results file
    if (matched == 0) throw UsageError(filter_matches_nothing(benchmark::GetBenchmarkFilter(), gb_errors.str()));
    return false;
  }
  std::fputs(gb_errors.str().c_str(), stderr);
  if (stop_signal()) mark_interrupted(rows);
  return true;
}

}  // namespace elubench::bench
