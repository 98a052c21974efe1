// elubench: times every selected variant from the registry with Google Benchmark, checks each
// against the float64 reference first, measures the copy ceilings in the same run, and writes
// one results JSON (results/schema.json). See `elubench --help`.
//
// The run in steps, each a function below: read the invocation (--resume: the recorded one),
// detect the platform, plan the rows (plan/), set up Google Benchmark and the GPU sampler
// (timing/), run the rows (run/run_rows.hpp), write the results (results/). --gpu all on several
// GPUs runs this once per GPU instead (run/gpu_all.hpp).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <thread>

#include "build_info.hpp"
#include "cli/parse.hpp"
#include "elubench/gpu.hpp"
#include "plan/platform.hpp"
#include "plan/rows.hpp"
#include "results/ceilings.hpp"
#include "results/document.hpp"
#include "results/journal.hpp"
#include "results/output_file.hpp"
#include "results/row_json.hpp"
#include "results/summary.hpp"
#include "run/gpu_all.hpp"
#include "run/run_guard.hpp"
#include "run/run_rows.hpp"
#include "run/signals.hpp"
#include "timing/google_benchmark.hpp"
#include "timing/gpu_setup.hpp"
#include "trust/plausibility.hpp"

namespace eb = elubench;
using namespace elubench::bench;

namespace {

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

// ---- Step 1: the invocation ------------------------------------------------------------------

struct Invocation {
  Options opt;
  std::vector<std::string> argv;  // the run's own command line, recorded for --resume
  std::optional<ResumeState> resume;
};

// --resume: the run's own flags come back from FILE (and its finished rows, adopted in run()).
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

// Google Benchmark with the run's flags. Repetitions of all rows in random order, not each row's
// back to back: a machine that slows down for a few seconds then spreads its slowdown over every
// row's samples instead of making one row look slow, so ratios within a run and comparisons
// between runs stop depending on when a row happened to run (docs/ has the measurement).
// Interleaving keeps every row's buffers alive until the end of the run, so it is used only when
// they all fit (fits_interleaved); why not is said once the flags are known to be good.
void start_google_benchmark(const char* argv0, const Options& opt, const std::vector<Row>& rows, const Platform& plat) {
  std::string note;
  const bool interleave =
      !has_flag(opt.benchmark_args, "--benchmark_enable_random_interleaving") && fits_interleaved(rows, plat, &note);
  init_google_benchmark(argv0, opt.benchmark_args, interleave);
  std::fputs(note.c_str(), stderr);
}

// ---- Step 3: the journal ---------------------------------------------------------------------

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

// ---- Step 4: write ---------------------------------------------------------------------------

int write_results(const Invocation& inv, const Platform& plat, const GpuTiming& gpu, std::vector<Row>& rows,
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
void announce(const Invocation& inv, const Platform& plat, const std::vector<Row>& rows, const Cases& cases) {
  const auto gpu_skipped = std::count_if(rows.begin(), rows.end(), [](const Row& r) {
    return r.variant->device == eb::Device::gpu && r.status == Status::skipped;
  });
  if (gpu_skipped > 0)
    std::fprintf(stderr, "elubench: %zu GPU rows skipped: %s\n", static_cast<std::size_t>(gpu_skipped),
                 plat.gpu_reason.c_str());
  if (!inv.resume) return;
  const auto part_way = std::count_if(cases.cases.begin(), cases.cases.end(), [](const auto& c) { return c->resumed() > 0; });
  std::fprintf(stderr, "elubench: resuming %s: %zu rows to run, %zu of them part-way\n", inv.opt.resume.c_str(),
               cases.pending, static_cast<std::size_t>(part_way));
}

int run(int argc, char** argv) {
  const Options given = parse_args(argc, argv);
  if (given.help) {
    std::cout << usage();
    return 0;
  }
  if (given.list) {
    // --layers --list: the layer rows; --list: the elementwise rows (what scripts count).
    for (const eb::Variant& v : given.layers ? eb::layer_variants() : eb::all_variants()) std::cout << v.name << '\n';
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
  start_google_benchmark(argv[0], inv.opt, rows, plat);
  const GpuTiming gpu = prepare_gpu_timing(inv.opt, plat.gpu, rows);
  Cases cases = make_cases(rows, inv.opt.input, gpu.get());
  if (inv.resume) resume_partial_rows(cases, *inv.resume, inv.opt.repetitions);
  announce(inv, plat, rows, cases);
  const auto journal = open_journal(inv, out, rows);
  if (!run_rows(cases, rows, inv.opt, *journal)) return 0;
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
