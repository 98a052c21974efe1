#include "timing/google_benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <sstream>

#include "elubench/layer.hpp"

namespace elubench::bench {

bool has_flag(const std::vector<std::string>& args, const char* prefix) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; });
}

void init_google_benchmark(const char* argv0, const std::vector<std::string>& benchmark_args, bool interleave) {
  std::vector<std::string> args{argv0};
  args.insert(args.end(), benchmark_args.begin(), benchmark_args.end());
  if (interleave && !has_flag(benchmark_args, "--benchmark_enable_random_interleaving"))
    args.push_back("--benchmark_enable_random_interleaving=true");
  std::vector<char*> gb_argv;
  for (auto& a : args) gb_argv.push_back(a.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  gb_argv.push_back(nullptr);
  // Google Benchmark explains a malformed value on std::cerr and leaves the flag unparsed:
  // keep its reason for our one line instead of printing two.
  std::ostringstream gb_said;
  std::streambuf* cerr_buf = std::cerr.rdbuf(gb_said.rdbuf());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  std::cerr.rdbuf(cerr_buf);
  const std::string said = gb_said.str().substr(0, gb_said.str().find('\n'));
  if (gb_argc > 1)
    throw UsageError(said.empty() ? std::string("unknown Google Benchmark flag '") + gb_argv[1] + "'"
                                  : std::string(gb_argv[1]) + ": " + said);
  std::cerr << gb_said.str();
}

std::string benchmark_name(const Row& r) {
  std::string s = r.variant->name + (r.layer ? "/shape:" + to_string(*r.layer) : "/n:" + std::to_string(r.n)) +
                  (r.threads ? "/threads:" + std::to_string(*r.threads) : "/cache:" + std::string(to_string(*r.cache)));
  if (r.simd_target) s += "/simd:" + *r.simd_target;
  // " alpha=0.5 beta=2" -> "/alpha:0.5/beta:2": names and values hold no ' ' and no '='.
  for (char c : r.params_label()) s += c == ' ' ? '/' : c == '=' ? ':' : c;
  return s;
}

void set_row_timing(benchmark::internal::Benchmark* b, const Row& r, const Options& opt, std::size_t resumed) {
  b->Unit(benchmark::kMicrosecond);
  if (r.variant->device == Device::gpu) {
    b->UseManualTime()->Iterations(1)->Repetitions(1);
    return;
  }
  b->Repetitions(opt.repetitions - static_cast<int>(resumed))->UseManualTime();
  // Short samples, many of them, so that the suite fits its budget (CPU <= 10 min, --quick
  // <= 60 s). --benchmark_min_time overrides.
  if (!has_flag(opt.benchmark_args, "--benchmark_min_time")) b->MinTime(opt.quick ? 0.002 : 0.01);
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

double time_cpu_loop(benchmark::State& st, RunFn fn, const RunArgs& args) {
  // Manual time, from the one clock that both Google Benchmark's sample and the journal's read:
  // the loop's wall time, as UseRealTime would measure it.
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) {
    fn(args);
    benchmark::ClobberMemory();  // the stores must happen inside the timed region
  }
  const double seconds = seconds_since(t0);
  st.SetIterationTime(seconds);
  return seconds;
}

void run_empty_loop(benchmark::State& st) {
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) {
  }
  st.SetIterationTime(seconds_since(t0));
}

void SampleReporter::ReportRuns(const std::vector<Run>& runs) {
  std::set<std::string> seen;
  for (const Run& r : runs) {
    if (r.run_type != Run::RT_Iteration) continue;  // Google Benchmark's own mean/median/stddev rows
    const std::string name = r.run_name.function_name;
    if (!sink_.known(name)) continue;
    seen.insert(name);
    // With UseManualTime, real_accumulated_time is the loop's wall seconds (CPU) or the events' (GPU).
    if (!r.error_occurred && r.iterations > 0) sink_.sample(name, r.real_accumulated_time / static_cast<double>(r.iterations));
  }
  for (const std::string& name : seen) sink_.reported(name);
}

}  // namespace elubench::bench
