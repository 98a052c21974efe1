// elubench: times every selected variant from the registry with Google Benchmark, checks each
// against the float64 reference first, measures the copy ceilings in the same run, and writes
// one results JSON (results/schema.json). See `elubench --help`.
#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "build_info.hpp"
#include "cli.hpp"
#include "journal.hpp"
#include "plausibility.hpp"
#include "run_guard.hpp"
#include "signals.hpp"
#include "elubench/cpu.hpp"
#include "elubench/gpu.hpp"
#include "results.hpp"
#include "suite.hpp"
#if ELUBENCH_HAVE_CUDA
#include "gpu_clock.hpp"
#include "gpu_timer.hpp"
#endif

namespace eb = elubench;
using namespace elubench::bench;

namespace {

// Collects one sample per repetition (seconds per call) for each row, and prints progress on
// stderr. Stands in for Google Benchmark's console table: stdout is kept for the summary;
// --benchmark_out still gets Google Benchmark's own JSON through its file reporter.
class SampleReporter : public benchmark::BenchmarkReporter {
 public:
  SampleReporter(std::map<std::string, Case*> by_name, std::size_t total, Journal& journal)
      : by_name_(std::move(by_name)), total_(total), journal_(journal), t0_(std::chrono::steady_clock::now()) {}

  bool ReportContext(const Context&) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::set<Case*> seen;
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;  // GB's own mean/median/stddev rows
      const auto it = by_name_.find(r.run_name.function_name);
      if (it == by_name_.end()) continue;
      seen.insert(it->second);
      // With UseRealTime / UseManualTime, real_accumulated_time is wall / event seconds.
      if (!r.error_occurred && r.iterations > 0)
        it->second->add_sample(r.real_accumulated_time / static_cast<double>(r.iterations));
    }
    for (Case* c : seen) {
      c->finish();
      ++done_;
      const Row& row = c->row();
      if (row.status != Status::interrupted) journal_.append(row_to_json(row));
      if (row.status != Status::ok && row.status != Status::interrupted)
        std::fprintf(stderr, "[%zu/%zu %6.1fs] %s: %s: %s\n", done_, total_, elapsed(), std::string(to_string(row.status)).c_str(),
                     row.label().c_str(), row.reason.c_str());
    }
  }

  // Called from the benchmark body when a row starts, so a slow row is visible while it runs.
  void starting(const Row& row) {
    std::fprintf(stderr, "[%zu/%zu %6.1fs] running %s\n", done_, total_, elapsed(), row.label().c_str());
  }

 private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }
  std::map<std::string, Case*> by_name_;
  std::size_t total_, done_ = 0;
  Journal& journal_;
  std::chrono::steady_clock::time_point t0_;
};

std::string utc_now(const char* fmt) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown-host";
  std::string s = buf;
  for (char& c : s)
    if (c == '/' || c == ' ') c = '_';  // it becomes part of a file name
  return s;
}

std::string fmt(double v, int prec = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

// Per variant at the largest size of its device: GB/s, % of ceiling and ELU/ReLU (the ratio of
// median times of the same variant, dtype, size and threads).
void print_summary(const std::vector<Row>& rows) {
  std::map<eb::Device, std::size_t> largest;
  for (const Row& r : rows)
    if (r.status == Status::ok) largest[r.variant->device] = std::max(largest[r.variant->device], r.n);
  auto relu_of = [&](const Row& e) -> const Row* {
    for (const Row& r : rows)
      if (r.status == Status::ok && r.variant->activation == eb::Activation::relu &&
          r.variant->device == e.variant->device && r.variant->variant == e.variant->variant &&
          r.variant->dtype == e.variant->dtype && r.n == e.n && r.threads == e.threads)
        return &r;
    return nullptr;
  };
  std::printf("%-36s %12s %8s %9s %8s %9s\n", "variant", "n", "threads", "GB/s", "%ceil", "ELU/ReLU");
  std::size_t ok = 0, skipped = 0, failed = 0, interrupted = 0;
  std::vector<std::string> throttle_notes;
  for (const Row& r : rows) {
    ok += r.status == Status::ok;
    skipped += r.status == Status::skipped;
    failed += r.status == Status::failed;
    interrupted += r.status == Status::interrupted;
    if (r.status != Status::ok || r.n != largest[r.variant->device]) continue;
    std::string ratio = "-";
    if (r.variant->activation == eb::Activation::elu)
      if (const Row* q = relu_of(r)) ratio = fmt(r.time->median / q->time->median, 2);
    // A GPU row whose clock moved or that hit a power/thermal limit gets a mark and a footnote.
    const bool throttled = r.gpu_timing && r.gpu_timing->clocks && r.gpu_timing->clocks->throttled;
    std::printf("%-36s %12zu %8s %9s %8s %9s%s\n", r.variant->name.c_str(), r.n,
                r.threads ? std::to_string(*r.threads).c_str() : "-", r.gbps ? fmt(*r.gbps, 2).c_str() : "-",
                r.pct_of_ceiling ? fmt(*r.pct_of_ceiling).c_str() : "-", ratio.c_str(), throttled ? " !" : "");
    if (throttled) {
      const ClockSummary& c = *r.gpu_timing->clocks;
      std::string why;
      for (const std::string& w : c.why) why += (why.empty() ? "" : ", ") + w;
      throttle_notes.push_back(r.variant->name + ": " + why + " (SM " + std::to_string(c.sm_min) + "-" +
                               std::to_string(c.sm_max) + " MHz)");
    }
  }
  for (const std::string& note : throttle_notes) std::printf("  ! throttled: %s\n", note.c_str());
  std::printf("rows: %zu ok, %zu skipped, %zu failed", ok, skipped, failed);
  if (interrupted) std::printf(", %zu interrupted", interrupted);
  std::printf("\n");
}

int run(int argc, char** argv) {
  Options opt = parse_args(argc, argv);
  if (opt.help) {
    std::cout << usage();
    return 0;
  }
  if (opt.list) {
    for (const eb::Variant& v : eb::all_variants()) std::cout << v.name << '\n';
    return 0;
  }

  // --resume: the run's own flags come back from FILE (and its finished rows, below).
  std::vector<std::string> run_argv(argv, argv + argc);
  std::optional<ResumeState> resume;
  if (!opt.resume.empty()) {
    resume = load_resume(opt.resume);
    opt = options_for_resume(*resume, opt);
    run_argv = resume->argv;
  }
  install_stop_handlers();

  Platform plat;
  plat.hardware_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  plat.cpu_llc_bytes = cpu_last_level_cache_bytes();
  const bool gpu_wanted = opt.devices.empty() ||
                          std::find(opt.devices.begin(), opt.devices.end(), eb::Device::gpu) != opt.devices.end();
  if (gpu_wanted && eb::gpu::cuda_built()) {
    std::string reason;
    const int count = eb::gpu::device_count(&reason);
    const int ordinal = opt.gpu.value_or(0);
    if (count > 0 && ordinal >= count)
      throw UsageError("--gpu " + std::to_string(ordinal) + ": only " + std::to_string(count) + " GPU(s) present");
    if (count > 1 && ordinal < 0)
      throw UsageError("--gpu all: one results file describes one GPU; run once per --gpu N (0.." +
                       std::to_string(count - 1) + ")");
    if (count > 0) {
      const int use = ordinal < 0 ? 0 : ordinal;
      eb::gpu::set_device(use);
      plat.gpu = eb::gpu::info(use);
      plat.gpu_usable = true;
    } else {
      plat.gpu_reason = reason;
    }
  } else {
    plat.gpu_reason = "built without CUDA";
  }

  std::vector<Row> rows = select_rows(opt, plat);
  if (resume) adopt_finished_rows(rows, resume->done);

  // The output file is settled before any work: a refused --out costs nothing.
  std::string out = opt.out;
  if (out.empty()) {
    ::mkdir("results", 0755);  // EEXIST is fine; anything else surfaces in check_out_path
    out = default_out_path("results", hostname(), utc_now("%Y%m%dT%H%M%SZ"));
  }
  check_out_path(out, opt.force);
  check_benchmark_flags(opt.benchmark_args);
  const bool list_only = lists_tests(opt.benchmark_args);

  // Google Benchmark gets argv[0] plus its own flags; anything it does not know is an error.
  std::vector<std::string> gb_args{argv[0]};
  bool user_min_time = false, user_interleaving = false;
  for (const auto& a : opt.benchmark_args) {
    gb_args.push_back(a);
    if (a.rfind("--benchmark_min_time", 0) == 0) user_min_time = true;
    if (a.rfind("--benchmark_enable_random_interleaving", 0) == 0) user_interleaving = true;
  }
  // Repetitions of all rows in random order, not each row's repetitions back to back: a
  // machine that slows down for a few seconds then spreads its slowdown over every row's
  // samples instead of making one row look slow, so ratios within a run and comparisons
  // between runs stop depending on when a row happened to run. (Measured on the 2-core
  // development VM: false regression alarms between identical quick runs fell from 30 rows
  // per comparison to a handful.)
  // Interleaving keeps every row's buffers alive until the end of the run, so it is used only
  // when they all fit: a quarter of the host's memory, half of the GPU's free memory. A larger
  // suite (the default one at 2^26 / 2^28) runs row after row, freeing each row's buffers.
  std::string interleave_note;  // printed once the flags are known to be good
  if (!user_interleaving) {
    const Footprint need = interleaved_footprint(rows);
    const std::size_t host_budget =
        static_cast<std::size_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) / 4;
    const std::size_t device_budget = plat.gpu_usable ? eb::gpu::free_memory() / 2 : 0;
    if (need.host <= host_budget && need.device <= device_budget) {
      gb_args.push_back("--benchmark_enable_random_interleaving=true");
    } else {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "elubench: rows run one after another, not interleaved: together they need %zu MiB of host and "
                    "%zu MiB of device memory (budget %zu / %zu MiB)\n",
                    need.host >> 20, need.device >> 20, host_budget >> 20, device_budget >> 20);
      interleave_note = buf;
    }
  }
  std::vector<char*> gb_argv;
  for (auto& a : gb_args) gb_argv.push_back(a.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  gb_argv.push_back(nullptr);
  {
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
  std::fputs(interleave_note.c_str(), stderr);

  const bool any_gpu_row = std::any_of(rows.begin(), rows.end(), [](const Row& r) {
    return r.variant->device == eb::Device::gpu && r.status == Status::pending;
  });
  // GPU timing: one sampler for the run (stream, blocking kernel, L2 flush, NVML), and every
  // selected GPU variant warmed once at a large n before anything is timed.
  GpuTimingSetup gpu_setup;
  gpu_setup.rule = gpu_stop_rule(opt);
#if ELUBENCH_HAVE_CUDA
  std::unique_ptr<GpuSampler> sampler;
  if (any_gpu_row) {
    sampler = std::make_unique<GpuSampler>(gpu_setup, opt.cache, plat.gpu.l2_bytes, plat.gpu.ordinal);
    gpu_setup = sampler->setup();
    std::vector<const eb::Variant*> gpu_variants;
    std::size_t largest = 0;
    for (const Row& r : rows) {
      if (r.variant->device != eb::Device::gpu || r.status != Status::pending) continue;
      largest = std::max(largest, r.n);
      if (std::find(gpu_variants.begin(), gpu_variants.end(), r.variant) == gpu_variants.end())
        gpu_variants.push_back(r.variant);
    }
    gpu_setup.warmup_n = warmup_elements(largest, eb::gpu::free_memory());
    if (gpu_setup.warmup_n == 0) gpu_setup.warmup_note = "not even 2^20 elements fit in free device memory";
    gpu_setup.warmup_variants = warm_up_gpu_variants(gpu_variants, gpu_setup.warmup_n, &gpu_setup.warmup_note);
    if (gpu_setup.nvml != "available")
      std::fprintf(stderr, "elubench: GPU clocks and throttling not recorded: %s\n", gpu_setup.nvml.c_str());
  }
  GpuSampler* const gpu_sampler = sampler.get();
#else
  GpuSampler* const gpu_sampler = nullptr;
#endif

  std::random_device rd;
  const unsigned seed0 = rd();
  InputCache inputs(opt.input, seed0);
  std::vector<std::unique_ptr<Case>> cases;
  std::map<std::string, Case*> by_name;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    cases.push_back(std::make_unique<Case>(rows[i], inputs, seed0 + static_cast<unsigned>(i) * 7919u, gpu_sampler));
  }
  std::size_t pending = 0, gpu_skipped = 0;
  for (const Row& r : rows) {
    pending += r.status == Status::pending;
    gpu_skipped += r.variant->device == eb::Device::gpu && r.status == Status::skipped;
  }
  if (gpu_skipped > 0)
    std::fprintf(stderr, "elubench: %zu GPU rows skipped: %s\n", gpu_skipped, plat.gpu_reason.c_str());
  if (resume) std::fprintf(stderr, "elubench: resuming %s: %zu rows to run\n", opt.resume.c_str(), pending);
  std::vector<std::string> names(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.status != Status::pending) continue;
    names[i] = r.variant->name + "/n:" + std::to_string(r.n) +
               (r.threads ? "/threads:" + std::to_string(*r.threads) : "/cache:" + std::string(to_string(*r.cache)));
    by_name[names[i]] = cases[i].get();
  }
  // The journal comes last among the checks: a refused run leaves no file behind.
  const nlohmann::json journal_header = {{"elubench_journal", 1}, {"out", out}, {"argv", run_argv}};
  const bool append = resume && resume->from_journal;
  Journal journal(append ? opt.resume : journal_path(out), journal_header, append);
  if (resume && !append)
    for (const Row& r : rows)
      if (r.status != Status::pending) journal.append(row_to_json(r));
  SampleReporter reporter(by_name, pending, journal);
  std::vector<char> started(rows.size(), 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.status != Status::pending) continue;
    Case* c = cases[i].get();
    char* first = &started[i];
    auto* b = benchmark::RegisterBenchmark(names[i].c_str(), [c, &reporter, first](benchmark::State& st) {
      if (!*first) {
        *first = 1;
        reporter.starting(c->row());
      }
      c->run(st);
    });
    b->Unit(benchmark::kMicrosecond);
    const bool gpu = r.variant->device == eb::Device::gpu;
    // GPU rows sample inside one iteration until the stopping rule says stop (gpu_timer.hpp).
    if (gpu) b->UseManualTime()->Iterations(1)->Repetitions(1);
    else b->Repetitions(opt.repetitions)->UseRealTime();  // wall time: worker threads' time must count
    // The suite must fit its budget (CPU <= 10 min, --quick <= 60 s): short samples, many of
    // them. --benchmark_min_time overrides.
    if (!user_min_time && !gpu) b->MinTime(opt.quick ? 0.002 : 0.01);
  }

  std::ostringstream gb_errors;  // Google Benchmark's own complaints; ours say it in one line
  reporter.SetErrorStream(&gb_errors);
  const std::size_t matched = pending > 0 ? benchmark::RunSpecifiedBenchmarks(&reporter) : 0;
  benchmark::Shutdown();
  if (list_only || (pending > 0 && matched == 0)) {
    journal.remove();  // nothing was measured: no journal, no results file
    if (matched == 0) throw UsageError(filter_matches_nothing(benchmark::GetBenchmarkFilter(), gb_errors.str()));
    return 0;
  }
  std::fputs(gb_errors.str().c_str(), stderr);
  const int sig = stop_signal();
  if (sig)
    for (Row& r : rows)
      if (r.status == Status::pending) {
        r.status = Status::interrupted;
        r.reason = "interrupted before this row ran";
      }

  const auto ceilings = derive_metrics(rows, plat.gpu_usable ? plat.gpu.peak_gbps : 0.0);
  fail_impossible_bandwidth(rows, plat.gpu_usable ? plat.gpu.peak_gbps : 0.0);

  nlohmann::json tool = {{"name", "elubench"}, {"version", build_info::version}, {"git_revision", build_info::git_revision}};
  nlohmann::json host = {{"hostname", hostname()},
                         {"cpu_model", eb::cpu::cpu_model()},
                         {"cores", plat.hardware_threads},
                         {"simd_target", eb::cpu::simd_target()}};
  nlohmann::json gpu_j = nullptr;
  if (plat.gpu_usable && any_gpu_row) {
    const auto& g = plat.gpu;
    gpu_j = {{"name", g.name},
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
  nlohmann::json build = {{"compiler", build_info::compiler},
                          {"cuda", build_info::cuda_version[0] ? nlohmann::json(build_info::cuda_version) : nlohmann::json(nullptr)},
#if ELUBENCH_HAVE_CUDA
                          {"cccl", cccl_version()},
#else
                          {"cccl", nullptr},
#endif
                          {"flags", build_info::flags},
                          {"build_type", build_info::build_type},
                          {"peers", {{"onednn", build_info::have_onednn}, {"eigen", build_info::have_eigen}, {"cudnn", build_info::have_cudnn},
                                     {"xnnpack", build_info::have_xnnpack}, {"sleef", build_info::have_sleef}}}};
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
  nlohmann::json config = {{"devices", devs}, {"activations", acts}, {"variants", vars}, {"dtypes", dts},
                           {"sizes", sizes}, {"alpha", opt.alpha}, {"input", to_string(opt.input)},
                           {"cache", to_string(opt.cache)}, {"threads", threads}, {"repetitions", opt.repetitions},
                           {"quick", opt.quick}, {"command_line", opt.command_line}, {"argv", run_argv}};
  config["gpu_timing"] = any_gpu_row ? gpu_timing_setup_to_json(gpu_setup) : nlohmann::json(nullptr);
  const auto doc = make_document(utc_now("%Y-%m-%dT%H:%M:%SZ"), tool, host, gpu_j, build, config, ceilings, rows);
  try {
    const DeferStopSignals hold;  // a second signal must not strand the temporary file
    write_atomically(out, doc.dump(1) + "\n", opt.force);
  } catch (const std::runtime_error& e) {
    print_summary(rows);
    std::cout << std::flush;
    report_lost_write(e.what(), journal.path(), journal.healthy());
    return 1;
  }
  journal.remove();

  print_summary(rows);
  std::cout << "results: " << out << std::endl;
  if (sig) {
    report_interrupted(sig, rows, out);
    return 128 + sig;
  }
  const bool any_failed = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.status == Status::failed; });
  // A failed check is a result worth keeping in the file, and a reason for a non-zero exit.
  return any_failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "elubench: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "elubench: %s\n", e.what());
    return 1;
  }
}
