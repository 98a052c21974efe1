// elubench: times every selected variant from the registry with Google Benchmark, checks each
// against the float64 reference first, measures the copy ceilings in the same run, and writes
// one results JSON (results/schema.json). See `elubench --help`.
//
// The run in steps, each a function below: read the invocation (--resume: the recorded one),
// detect the platform, plan the rows, set up Google Benchmark and the GPU sampler, register the
// rows, run them, write the results. --gpu all on several GPUs runs this once per GPU instead
// (bench/gpu_all.hpp).
#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "cli/parse.hpp"
#include "run/gpu_all.hpp"
#include "results/journal.hpp"
#include "trust/plausibility.hpp"
#include "build_info.hpp"
#include "run/progress.hpp"
#include "run/repetitions.hpp"
#include "run/run_guard.hpp"
#include "run/signals.hpp"
#include "elubench/gpu.hpp"
#include "results/row.hpp"
#include "run/case.hpp"
#include "results/summary.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sync.hpp"
#include "timing/gpu_sampler.hpp"
#endif

namespace eb = elubench;
using namespace elubench::bench;

namespace {

// Collects one sample per repetition (seconds per call) for each row, journals each finished
// row and tells Progress. Stands in for Google Benchmark's console table: stdout is kept for the
// summary; --benchmark_out still gets Google Benchmark's own JSON through its file reporter.
class SampleReporter : public benchmark::BenchmarkReporter {
 public:
  SampleReporter(const std::map<std::string, Case*>& by_name, Progress& progress, Journal& journal, RepetitionLog& log)
      : by_name_(by_name), progress_(progress), journal_(journal), log_(log) {}

  bool ReportContext(const Context&) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::set<Case*> seen;
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;  // GB's own mean/median/stddev rows
      const auto it = by_name_.find(r.run_name.function_name);
      if (it == by_name_.end()) continue;
      seen.insert(it->second);
      // With UseManualTime, real_accumulated_time is the loop's wall seconds (CPU) or the events' (GPU).
      if (!r.error_occurred && r.iterations > 0)
        it->second->add_sample(r.real_accumulated_time / static_cast<double>(r.iterations));
    }
    for (Case* c : seen) {
      log_.reported(c->row());
      c->finish();
      const Row& row = c->row();
      if (row.status != Status::interrupted) journal_.append(row_to_json(row));
      progress_.finished(row);
    }
  }

 private:
  const std::map<std::string, Case*>& by_name_;
  Progress& progress_;
  Journal& journal_;
  RepetitionLog& log_;
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

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- Step 1: the invocation ------------------------------------------------------------------

struct Invocation {
  Options opt;
  std::vector<std::string> argv;  // the run's own command line, recorded for --resume
  std::optional<ResumeState> resume;
};

// --resume: the run's own flags come back from FILE (and its finished rows, in plan_rows).
Invocation read_invocation(Options given, int argc, char** argv) {
  Invocation inv{std::move(given), std::vector<std::string>(argv, argv + argc), std::nullopt};
  if (!inv.opt.resume.empty()) {
    inv.resume = load_resume(inv.opt.resume);
    inv.opt = options_for_resume(*inv.resume, inv.opt);
    inv.argv = inv.resume->argv;
  }
  return inv;
}

// ---- Step 2: the platform --------------------------------------------------------------------

// CPU facts, and the GPU the rows run on (made current). --gpu all with several GPUs fills
// every_gpu instead: each of them is a run of its own.
Platform detect_platform(const Options& opt, std::vector<GpuTarget>& every_gpu) {
  Platform plat;
  plat.hardware_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  plat.cpu_llc_bytes = cpu_last_level_cache_bytes();
  const bool all = opt.gpu && *opt.gpu < 0;
  const bool gpu_wanted = opt.devices.empty() ||
                          std::find(opt.devices.begin(), opt.devices.end(), eb::Device::gpu) != opt.devices.end();
  if (!gpu_wanted || !eb::gpu::cuda_built()) {
    if (all) throw UsageError("--gpu all: this elubench was built without CUDA");
    plat.gpu_reason = "built without CUDA";
    return plat;
  }
  std::string reason;
  const int count = eb::gpu::device_count(&reason);
  const int ordinal = opt.gpu.value_or(0);
  if (count > 0 && ordinal >= count)
    throw UsageError("--gpu " + std::to_string(ordinal) + ": only " + std::to_string(count) + " GPU(s) present");
  if (all && count == 0) throw UsageError("--gpu all: no GPU to run on: " + reason);
  if (all && count > 1) {
    for (int i = 0; i < count; ++i) every_gpu.push_back({i, eb::gpu::info(i).name});
    return plat;
  }
  if (count == 0) {
    plat.gpu_reason = reason;
    return plat;
  }
  const int use = std::max(ordinal, 0);
  eb::gpu::set_device(use);
  plat.gpu = eb::gpu::info(use);
  plat.gpu_usable = true;
  return plat;
}

// The output file is settled before any work: a refused --out costs nothing.
std::string output_path(const Options& opt) {
  if (!opt.out.empty()) return opt.out;
  ::mkdir("results", 0755);  // EEXIST is fine; anything else surfaces in check_out_path
  return default_out_path("results", hostname(), utc_now("%Y%m%dT%H%M%SZ"));
}

// --gpu all on several GPUs: one child run per GPU, each file checked before the first starts.
int run_every_gpu(const Invocation& inv, const std::vector<GpuTarget>& gpus) {
  const auto runs = plan_gpu_runs(inv.argv, inv.opt, output_path(inv.opt), gpus);
  for (const GpuRun& r : runs) check_out_path(r.out, inv.opt.force);
  check_benchmark_flags(inv.opt.benchmark_args);
  return run_gpu_runs(runs, exec_child, stop_signal);
}

// ---- Step 3: Google Benchmark ----------------------------------------------------------------

std::size_t physical_memory() {
  return static_cast<std::size_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Repetitions of all rows in random order, not each row's repetitions back to back: a machine
// that slows down for a few seconds then spreads its slowdown over every row's samples instead
// of making one row look slow, so ratios within a run and comparisons between runs stop
// depending on when a row happened to run (docs/ has the measurement). Interleaving keeps every
// row's buffers alive until the end of the run, so it is used only when they all fit: a quarter
// of the host's memory, half of the GPU's free memory. Otherwise *note says why not.
bool interleave(const std::vector<Row>& rows, const Platform& plat, std::string* note) {
  const Footprint need = interleaved_footprint(rows);
  const std::size_t host_budget = physical_memory() / 4;
  const std::size_t device_budget = plat.gpu_usable ? eb::gpu::free_memory() / 2 : 0;
  if (need.host <= host_budget && need.device <= device_budget) return true;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "elubench: rows run one after another, not interleaved: together they need %zu MiB of host and "
                "%zu MiB of device memory (budget %zu / %zu MiB)\n",
                need.host >> 20, need.device >> 20, host_budget >> 20, device_budget >> 20);
  *note = buf;
  return false;
}

// Refused before any work: rows that need more host memory than the machine has. The shared
// inputs and outputs stay allocated for the run, interleaved or not (SharedBuffers), and a GPU
// row also holds its output on the host while it is checked.
void check_host_memory(const std::vector<Row>& rows) {
  std::size_t need = interleaved_footprint(rows).host, gpu_output = 0;
  for (const Row& r : rows)
    if (r.status == Status::pending && r.variant->device == eb::Device::gpu)
      gpu_output = std::max(gpu_output, r.n * eb::dtype_size(r.variant->dtype));
  need += gpu_output;
  const std::size_t have = physical_memory();
  if (need > have)
    throw UsageError("the selected rows need " + std::to_string(need >> 20) + " MiB of host memory (inputs and outputs, " +
                     "held for the run) and this machine has " + std::to_string(have >> 20) + " MiB: choose smaller --sizes");
}

bool has_flag(const std::vector<std::string>& args, const char* prefix) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; });
}

// Google Benchmark gets argv[0] plus its own flags; anything it does not know is an error.
void init_google_benchmark(const char* argv0, const Options& opt, const std::vector<Row>& rows, const Platform& plat) {
  std::vector<std::string> args{argv0};
  args.insert(args.end(), opt.benchmark_args.begin(), opt.benchmark_args.end());
  std::string interleave_note;  // printed once the flags are known to be good
  if (!has_flag(opt.benchmark_args, "--benchmark_enable_random_interleaving") && interleave(rows, plat, &interleave_note))
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
  std::fputs(interleave_note.c_str(), stderr);
}

// ---- Step 4: the GPU sampler -----------------------------------------------------------------

// GPU timing: one sampler for the run (stream, blocking kernel, L2 flush, NVML), and every
// selected GPU variant warmed once at a large n before anything is timed.
struct GpuSide {
  GpuTimingSetup setup;
  bool any_row = false;
#if ELUBENCH_HAVE_CUDA
  std::unique_ptr<GpuSampler> sampler;
  GpuSampler* get() const { return sampler.get(); }
#else
  GpuSampler* get() const { return nullptr; }
#endif
};

void prepare_gpu(GpuSide& g, const Options& opt, const Platform& plat, const std::vector<Row>& rows) {
  g.setup.rule = gpu_stop_rule(opt);
  g.any_row = std::any_of(rows.begin(), rows.end(), [](const Row& r) {
    return r.variant->device == eb::Device::gpu && r.status == Status::pending;
  });
#if ELUBENCH_HAVE_CUDA
  if (!g.any_row) return;
  g.sampler = std::make_unique<GpuSampler>(g.setup, opt.cache, plat.gpu.l2_bytes, plat.gpu.ordinal);
  g.setup = g.sampler->setup();
  std::vector<const eb::Variant*> variants;
  std::size_t largest = 0;
  for (const Row& r : rows) {
    if (r.variant->device != eb::Device::gpu || r.status != Status::pending) continue;
    largest = std::max(largest, r.n);
    if (std::find(variants.begin(), variants.end(), r.variant) == variants.end()) variants.push_back(r.variant);
  }
  const bool backward = std::any_of(variants.begin(), variants.end(), [](const eb::Variant* v) { return v->is_backward(); });
  g.setup.warmup_n = warmup_elements(largest, eb::gpu::free_memory(), backward ? 3 : 2);
  if (g.setup.warmup_n == 0) g.setup.warmup_note = "not even 2^20 elements fit in free device memory";
  g.setup.warmup_variants = warm_up_gpu_variants(variants, g.setup.warmup_n, &g.setup.warmup_note);
  if (g.setup.nvml != "available")
    std::fprintf(stderr, "elubench: GPU clocks and throttling not recorded: %s\n", g.setup.nvml.c_str());
#else
  (void)plat;
#endif
}

// ---- Step 5: register the rows ---------------------------------------------------------------

struct Registered {
  std::unique_ptr<SharedBuffers> shared;     // declared first: the cases hold references into it
  std::vector<std::unique_ptr<Case>> cases;  // one per row, pending or not
  std::map<std::string, Case*> by_name;      // Google Benchmark's name of each pending row
  std::vector<char> started;                 // per row: its first body call has been announced
  std::size_t pending = 0;
};

// Unique per row: the variant, the shape and, where they make the work differ, the params.
std::string benchmark_name(const Row& r) {
  std::string s = r.variant->name + "/n:" + std::to_string(r.n) +
                  (r.threads ? "/threads:" + std::to_string(*r.threads) : "/cache:" + std::string(to_string(*r.cache)));
  const std::string params = r.params_label();  // " alpha=0.5"
  if (!params.empty()) s += "/" + params.substr(1, params.find('=') - 1) + ":" + params.substr(params.find('=') + 1);
  return s;
}

void make_cases(Registered& reg, std::vector<Row>& rows, const Options& opt, GpuSampler* sampler) {
  std::random_device rd;
  const unsigned seed0 = rd();
  reg.shared = std::make_unique<SharedBuffers>(opt.input, seed0);
  for (std::size_t i = 0; i < rows.size(); ++i)
    reg.cases.push_back(std::make_unique<Case>(rows[i], *reg.shared, seed0 + static_cast<unsigned>(i) * 7919u, sampler));
  reg.started.assign(rows.size(), 0);
  for (const Row& r : rows) reg.pending += r.status == Status::pending;
}

void register_rows(Registered& reg, const Options& opt, Progress& progress, RepetitionLog& log) {
  const bool user_min_time = has_flag(opt.benchmark_args, "--benchmark_min_time");
  for (std::size_t i = 0; i < reg.cases.size(); ++i) {
    Case* c = reg.cases[i].get();
    const Row& r = c->row();
    if (r.status != Status::pending) continue;
    char* first = &reg.started[i];
    const std::string name = benchmark_name(r);
    reg.by_name[name] = c;
    auto* b = benchmark::RegisterBenchmark(name.c_str(), [c, &progress, &log, first](benchmark::State& st) {
      if (!*first) {
        *first = 1;
        progress.starting(c->row());  // a slow row is visible while it runs
      }
      log.starting(c->row(), static_cast<long long>(st.max_iterations));
      const double t0 = progress.now();
      c->run(st);
      if (const auto loop = c->take_loop()) log.ended(c->row(), loop->iterations, loop->seconds_per_call);
      progress.spent(c->row(), progress.now() - t0);
    });
    b->Unit(benchmark::kMicrosecond);
    const bool gpu = r.variant->device == eb::Device::gpu;
    // GPU rows sample inside one iteration until the stopping rule says stop (gpu_timer.hpp).
    // CPU rows time their loop themselves (wall time: worker threads' time must count), the
    // clock the journal's repetitions read too; a resumed row runs only what it lacks.
    if (gpu) b->UseManualTime()->Iterations(1)->Repetitions(1);
    else b->Repetitions(opt.repetitions - static_cast<int>(c->resumed()))->UseManualTime();
    // The suite must fit its budget (CPU <= 10 min, --quick <= 60 s): short samples, many of
    // them. --benchmark_min_time overrides.
    if (!user_min_time && !gpu) b->MinTime(opt.quick ? 0.002 : 0.01);
  }
}

// The journal comes last among the checks: a refused run leaves no file behind. A resumed run
// appends to the journal it resumes (a journal, or an interrupted results file's).
std::unique_ptr<Journal> open_journal(const Invocation& inv, const std::string& out, const std::vector<Row>& rows) {
  const nlohmann::json header = {
      {"elubench_journal", 2}, {"out", out}, {"argv", inv.argv}, {"revision", build_info::git_revision}};
  const bool append = inv.resume && !inv.resume->journal.empty();
  auto journal = std::make_unique<Journal>(append ? inv.resume->journal : journal_path(out), header, append);
  if (inv.resume && !append)
    for (const Row& r : rows)
      if (r.status != Status::pending) journal->append(row_to_json(r));
  return journal;
}

// A resumed CPU row keeps the repetitions its journal holds, at most all but one: the row runs
// at least one more, so that its output is checked after timed calls of this run (the journaled
// ones passed the per-loop check of theirs: bench/timed_check.cpp).
void resume_partial_rows(Registered& reg, const Invocation& inv) {
  if (!inv.resume) return;
  const std::size_t keep = static_cast<std::size_t>(inv.opt.repetitions) - 1;
  for (auto& c : reg.cases) {
    const Row& r = c->row();
    const auto it = inv.resume->partial.find(r.label());
    if (r.status != Status::pending || r.variant->device != eb::Device::cpu || it == inv.resume->partial.end()) continue;
    std::vector<double> samples = it->second;
    if (samples.size() > keep) samples.resize(keep);
    c->resume_with(std::move(samples));
  }
}

// ---- Step 6: run -----------------------------------------------------------------------------

// Runs the registered rows; false when nothing was measured and nothing is to be written
// (--benchmark_list_tests). A filter that selects no row is refused.
bool run_rows(Registered& reg, std::vector<Row>& rows, const Options& opt, Journal& journal) {
  Progress progress(rows, steady_seconds, stderr, opt.repetitions);
  RepetitionLog log([&journal](const Row& r, double s) { journal.append_sample(r.label(), s); },
                    warmup_requested(opt.benchmark_args));
  register_rows(reg, opt, progress, log);
  SampleReporter reporter(reg.by_name, progress, journal, log);
  std::ostringstream gb_errors;  // Google Benchmark's own complaints; ours say it in one line
  reporter.SetErrorStream(&gb_errors);
  const std::size_t matched = reg.pending > 0 ? benchmark::RunSpecifiedBenchmarks(&reporter) : 0;
  benchmark::Shutdown();
  if (lists_tests(opt.benchmark_args) || (reg.pending > 0 && matched == 0)) {
    if (journal.created()) journal.remove();  // nothing was measured: no new journal, no results file
    if (matched == 0) throw UsageError(filter_matches_nothing(benchmark::GetBenchmarkFilter(), gb_errors.str()));
    return false;
  }
  std::fputs(gb_errors.str().c_str(), stderr);
  if (stop_signal())
    for (Row& r : rows)
      if (r.status == Status::pending) {
        r.status = Status::interrupted;
        r.reason = "interrupted before this row ran";
      }
  return true;
}

// ---- Step 7: write ---------------------------------------------------------------------------

int write_results(const Invocation& inv, const Platform& plat, const GpuSide& gpu, std::vector<Row>& rows,
                  const std::string& out, Journal& journal) {
  const double peak = plat.gpu_usable ? plat.gpu.peak_gbps : 0.0;
  const auto ceilings = derive_metrics(rows, peak);
  fail_impossible_bandwidth(rows, GpuBandwidthLimits{peak, plat.gpu_usable ? plat.gpu.l2_peak_gbps : 0.0,
                                                     plat.gpu_usable ? plat.gpu.l2_bytes : 0});
  RunInfo info{utc_now("%Y-%m-%dT%H:%M:%SZ"), hostname(), plat.hardware_threads, std::nullopt, inv.opt, inv.argv,
               std::nullopt};
  if (plat.gpu_usable && gpu.any_row) info.gpu = plat.gpu;
  if (gpu.any_row) info.gpu_timing = gpu.setup;
  const auto doc = make_document(info, ceilings, rows);
  try {
    const DeferStopSignals hold;  // a second signal must not strand the temporary file
    write_atomically(out, doc.dump(1) + "\n", inv.opt.force);
  } catch (const std::runtime_error& e) {
    print_summary(rows, stdout);
    std::fflush(stdout);
    report_lost_write(e.what(), journal.path(), journal.healthy());
    return 1;
  }
  // Interrupted: the journal keeps the unfinished rows' repetitions for --resume.
  if (!stop_signal()) journal.remove();
  print_summary(rows, stdout);
  std::printf("results: %s\n", out.c_str());
  std::fflush(stdout);
  if (const int sig = stop_signal()) {
    report_interrupted(sig, rows, out);
    return 128 + sig;
  }
  // A failed check is a result worth keeping in the file, and a reason for a non-zero exit.
  return std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.status == Status::failed; }) ? 1 : 0;
}

// Messages once the rows are known: GPU rows skipped for want of a GPU, and what --resume runs.
void announce(const Invocation& inv, const Platform& plat, const std::vector<Row>& rows, const Registered& reg) {
  const auto gpu_skipped = std::count_if(rows.begin(), rows.end(), [](const Row& r) {
    return r.variant->device == eb::Device::gpu && r.status == Status::skipped;
  });
  if (gpu_skipped > 0)
    std::fprintf(stderr, "elubench: %zu GPU rows skipped: %s\n", static_cast<std::size_t>(gpu_skipped),
                 plat.gpu_reason.c_str());
  if (!inv.resume) return;
  const auto part_way = std::count_if(reg.cases.begin(), reg.cases.end(), [](const auto& c) { return c->resumed() > 0; });
  std::fprintf(stderr, "elubench: resuming %s: %zu rows to run, %zu of them part-way\n", inv.opt.resume.c_str(),
               reg.pending, static_cast<std::size_t>(part_way));
}

int run(int argc, char** argv) {
  const Options given = parse_args(argc, argv);
  if (given.help) {
    std::cout << usage();
    return 0;
  }
  if (given.list) {
    for (const eb::Variant& v : eb::all_variants()) std::cout << v.name << '\n';
    for (const std::string& why : eb::gpu::left_out_variants()) std::cerr << "elubench: left out of this build: " << why << '\n';
    return 0;
  }
  const Invocation inv = read_invocation(given, argc, argv);
  install_stop_handlers();
  std::vector<GpuTarget> every_gpu;
  const Platform plat = detect_platform(inv.opt, every_gpu);
  if (!every_gpu.empty()) return run_every_gpu(inv, every_gpu);

  std::vector<Row> rows = select_rows(inv.opt, plat);
  if (inv.resume) adopt_finished_rows(rows, inv.resume->done, inv.opt.repetitions);
  check_host_memory(rows);
  const std::string out = output_path(inv.opt);
  check_out_path(out, inv.opt.force);
  check_benchmark_flags(inv.opt.benchmark_args);
  init_google_benchmark(argv[0], inv.opt, rows, plat);
  GpuSide gpu;
  prepare_gpu(gpu, inv.opt, plat, rows);
  Registered reg;
  make_cases(reg, rows, inv.opt, gpu.get());
  resume_partial_rows(reg, inv);
  announce(inv, plat, rows, reg);
  const auto journal = open_journal(inv, out, rows);
  if (!run_rows(reg, rows, inv.opt, *journal)) return 0;
  return write_results(inv, plat, gpu, rows, out, *journal);
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
