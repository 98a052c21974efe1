// The bench pipeline's pieces that need no benchmark run: the time-left estimate (on a fake
// clock), the cost summary (pairing by activation name), and --gpu all's per-GPU runs (on a fake
// device list and a fake child runner; no GPU needed).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "run/gpu_all.hpp"
#include "run/progress.hpp"
#include "run/repetitions.hpp"
#include "results/summary.hpp"
#include "timing/google_benchmark.hpp"
#include "test_support.hpp"

using namespace elubench;
using namespace elubench::bench;

namespace {

Row row(const char* name, std::size_t n, double median_s = 0) {
  Row r;
  r.variant = find_variant(name);
  if (!r.variant) throw std::runtime_error(std::string("registry lacks ") + name);
  r.n = n;
  r.threads = 1;
  r.params = default_params(r.variant->activation);
  r.bytes = bytes_moved(*r.variant, n, 0);
  if (median_s > 0) {
    r.status = Status::ok;
    r.time = compute_stats({median_s});
  }
  return r;
}

// Everything written to a FILE*, as a string.
struct Capture {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  ~Capture() { std::free(buf); }
  std::string text() {
    std::fflush(f);
    return std::string(buf, len);
  }
};

}  // namespace

// Google Benchmark runs a row's first repetition (its growing first calls) to its end, then one
// call per further repetition; a row's finish (the check of its last output) follows its last
// call. Each cost is the row's own once measured, else its cell's, else the scaled model.
TEST(Eta, FirstRepetitionThenOneCallPerRepetitionThenTheFinish) {
  std::vector<Row> rows = {row("cpu/relu/naive/f32", 1 << 17), row("cpu/elu/naive/f32", 1 << 17),
                           row("cpu/elu/naive/f32", 9 << 17)};
  double now = 0;
  Capture out;
  Progress p(rows, [&] { return now; }, out.f, 3);
  EXPECT_EQ(p.prefix(), "[0/3    0.0s]");  // nothing has run: nothing to go by
  p.starting(rows[0]);
  now = 1, p.spent(rows[0], 0.5), now = 2, p.spent(rows[0], 1.0);  // row 0's first repetition: 1.5 s
  p.starting(rows[1]);
  now = 3, p.spent(rows[1], 1.0);  // row 0's first repetition ended; row 1's: 1 s
  now = 5, p.spent(rows[0], 2.0);  // row 0's second repetition
  // Row 0: one call of 2 s. Row 1: two calls of its cell's 2 s (row 0's call, held toward the
  // model scaled by it: 2 s too). Row 2, 9x the elements, no measured cell: its first repetition
  // is the model scaled by rows 0 and 1 (2.5 s against 2x the model's), its calls the minimum
  // time scaled as row 0's call (2 s). Each finish: 0.6 x the row's first repetition. All x 5 s
  // of wall / 4.5 s of calls.
  const double model1 = 0.02 + 6e-8 * (1 << 17), model2 = 0.02 + 6e-8 * (9 << 17);
  const double first2 = model2 * 2.5 / (2 * model1);
  const double left = (2 + 0.6 * 1.5) + (2 * 2 + 0.6 * 1.0) + (first2 * 1.6 + 2 * 2);
  EXPECT_EQ(p.prefix(), "[0/3    5.0s, ~" + format_duration(left * 5 / 4.5) + " left]");
  now = 6, p.spent(rows[0], 1.0);  // row 0's last repetition: 1.5 s a call on average
  rows[0].status = Status::ok;
  now = 6.5, p.finished(rows[0]);  // its finish: 0.5 s for a 1.5 s first repetition
  // Finishes now cost what the last ones did per second of first repetition, held toward 0.6 as
  // if 16 rows of their mean first repetition had it; calls: 1.5 s. x 6 s (less the finish) / 5.5 s.
  const double ratio = (0.5 + 0.6 * 16 * 1.5) / (1.5 + 16 * 1.5);
  const double row1 = 2 * 1.5 + ratio * 1.0;
  EXPECT_EQ(p.prefix(), "[1/3    6.5s, ~" + format_duration((row1 + first2 * (1 + ratio) + 2 * 1.5) * 6 / 5.5) + " left]");
  // A failed row leaves the plan, its calls too.
  rows[2].status = Status::failed;
  rows[2].reason = "wrong";
  p.starting(rows[2]);
  now = 7, p.spent(rows[2], 0.5);
  p.finished(rows[2]);
  EXPECT_EQ(p.prefix(), "[2/3    7.0s, ~" + format_duration(row1 * 6.5 / 5.5) + " left]");
  const std::string text = out.text();
  EXPECT_NE(text.find("[0/3    0.0s] running cpu/relu/naive/f32 n=131072 threads=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("] failed: cpu/elu/naive/f32 n=1179648 threads=1: wrong\n"), std::string::npos) << text;
}

// Wall time outside body calls and finishes (Google Benchmark's own work) scales the time left,
// by at most 1.5. A heartbeat line says the run is alive between the "running" lines: every
// quarter of the time left, at least 2 s and at most 30 s apart.
TEST(Eta, ScaledByTheWallTimePerBodySecondAndAHeartbeat) {
  std::vector<Row> rows = {row("cpu/relu/naive/f32", 1 << 17), row("cpu/elu/naive/f32", 1 << 17)};
  double now = 0;
  Capture out;
  Progress p(rows, [&] { return now; }, out.f, 2);
  p.starting(rows[0]);
  now = 1, p.spent(rows[0], 1.0);
  p.starting(rows[1]);
  now = 2.2, p.spent(rows[1], 1.0);  // under 2 s since the last line: no heartbeat
  now = 3.2, p.spent(rows[0], 1.0);  // 2.2 s since the last line, about 2 s left: a heartbeat
  // Row 1: one call (row 0's 1 s) and a finish (0.6 x 1 s); row 0: its finish. x 3.2 s / 3 s.
  EXPECT_EQ(p.prefix(), "[0/2    3.2s, ~" + format_duration((1 + 0.6 + 0.6) * 3.2 / 3) + " left]");
  now = 40;  // a long stall: the scale stops at 1.5
  EXPECT_EQ(p.prefix(), "[0/2   40.0s, ~" + format_duration(2.2 * 1.5) + " left]");
  p.spent(rows[1], 1.0);
  const std::string text = out.text();
  EXPECT_NE(text.find("[0/2    3.2s, ~2s left] still running (last: cpu/relu/naive/f32 n=131072 threads=1)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[0/2   40.0s, ~2s left] still running (last: cpu/elu/naive/f32 n=131072 threads=1)\n"),
            std::string::npos)
      << text;
  std::size_t heartbeats = 0;
  for (auto at = text.find("still running"); at != std::string::npos; at = text.find("still running", at + 1)) ++heartbeats;
  EXPECT_EQ(heartbeats, 2u) << text;
}

TEST(Eta, DurationsReadAtAGlance) {
  EXPECT_EQ(format_duration(0.4), "0s");
  EXPECT_EQ(format_duration(59), "59s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(7620), "2h07m");
}

TEST(Summary, EluSentenceAndOneLinePerOtherActivationPairedByName) {
  const std::size_t big = 1 << 20, small = 1 << 12;
  std::vector<Row> rows = {row("cpu/relu/naive/f32", big, 2e-3),      row("cpu/relu/vectorized/f32", big, 1e-3),
                           row("cpu/elu/naive/f32", big, 9e-3),       row("cpu/elu/vectorized/f32", big, 1.5e-3),
                           row("cpu/relu/vectorized/f16", big, 1e-3), row("cpu/elu/vectorized/f16", big, 1.2e-3),
                           row("cpu/elu/vectorized/f32", small, 1e-9), row("cpu/copy/memcpy/f32", big, 0.5e-3)};
  Row two_threads = row("cpu/elu/vectorized/f32", big, 1.1e-3), relu_two = row("cpu/relu/vectorized/f32", big, 1e-3);
  two_threads.threads = relu_two.threads = 2;
  rows.push_back(two_threads);
  rows.push_back(relu_two);
  Row alpha2 = row("cpu/elu/vectorized/f32", big, 2e-3);
  alpha2.params = test_support::with_alpha(2);
  rows.push_back(alpha2);
  const auto lines = cost_summary(rows);
  ASSERT_EQ(lines.size(), 2u);
  // Best kernel per dtype: vectorized (1.5 ms) over vectorized ReLU (1 ms), not naive over naive.
  EXPECT_EQ(lines[0],
            "cpu at n=2^20 (best kernel of each dtype): ELU's time over ReLU's is 1.50x in f32 and 1.20x in f16 on "
            "1 thread; 1.10x in f32 on 2 threads.");
  EXPECT_EQ(lines[1], "cpu at n=2^20 (best kernel of each dtype): ELU (alpha=2)'s time over ReLU's is 2.00x in f32 on 1 thread.");
  Capture out;
  print_summary(rows, out.f);
  const std::string text = out.text();
  EXPECT_NE(text.find("cpu/elu/vectorized/f32 alpha=2"), std::string::npos) << text;
  EXPECT_NE(text.find(lines[1] + "\nrows: 11 ok, 0 skipped, 0 failed\n"), std::string::npos) << text;
}

// Google Benchmark's name of a row carries every parameter whose value is not the default.
TEST(BenchmarkName, CarriesEveryNonDefaultParameter) {
  Row elu = row("cpu/elu/vectorized/f32", 1024);
  EXPECT_EQ(benchmark_name(elu), "cpu/elu/vectorized/f32/n:1024/threads:1");
  elu.params = test_support::with_alpha(0.5f);
  EXPECT_EQ(benchmark_name(elu), "cpu/elu/vectorized/f32/n:1024/threads:1/alpha:0.5");
  Row slope = row("cpu/leaky_relu/naive/f32", 1024);
  slope.params.value[LeakyRelu::kSlope] = 0.2f;
  EXPECT_EQ(benchmark_name(slope), "cpu/leaky_relu/naive/f32/n:1024/threads:1/negative_slope:0.2");
}

TEST(Summary, NoPairNoNumber) {
  const auto lines = cost_summary({row("cpu/elu/naive/f32", 4096, 1e-6), row("cpu/copy/memcpy/f32", 4096, 1e-6)});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "cpu at n=2^12 (best kernel of each dtype): ELU was not measured beside ReLU.");
  EXPECT_TRUE(cost_summary({row("cpu/copy/memcpy/f32", 4096, 1e-6)}).empty());  // ceilings only: nothing to say
}

TEST(GpuAll, FileNamesCarryTheIndexAndTheModel) {
  EXPECT_EQ(model_slug("NVIDIA H200"), "h200");
  EXPECT_EQ(model_slug("NVIDIA A100-SXM4-80GB"), "a100-sxm4-80gb");
  EXPECT_EQ(model_slug("Tesla V100 (PCIe)"), "tesla-v100-pcie");
  EXPECT_EQ(model_slug("???"), "gpu");
  EXPECT_EQ(per_gpu_out("results/run.json", {1, "NVIDIA H200"}), "results/run-gpu1-h200.json");
  EXPECT_EQ(per_gpu_out("out", {0, "NVIDIA H100 80GB HBM3"}), "out-gpu0-h100-80gb-hbm3.json");
}

TEST(GpuAll, OneRunPerGpuCpuRowsOnlyInTheFirst) {
  const std::vector<GpuTarget> gpus = {{0, "NVIDIA H200"}, {1, "NVIDIA H200"}, {2, "NVIDIA A100-SXM4-80GB"}};
  const std::vector<std::string> argv = {"elubench", "--gpu=all", "--threads", "1", "--quick", "--out", "r.json"};
  Options o;
  o.gpu = -1;
  const auto runs = plan_gpu_runs(argv, o, "r.json", gpus);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].argv, (std::vector<std::string>{"elubench", "--threads", "1", "--quick", "--gpu", "0", "--out",
                                                     "r-gpu0-h200.json"}));
  EXPECT_EQ(runs[1].argv, (std::vector<std::string>{"elubench", "--quick", "--device", "gpu", "--gpu", "1", "--out",
                                                     "r-gpu1-h200.json"}));
  EXPECT_EQ(runs[2].out, "r-gpu2-a100-sxm4-80gb.json");
  o.devices = {Device::gpu};  // asked for GPU rows only: every run keeps the flags as given
  EXPECT_EQ(plan_gpu_runs({"elubench", "--device", "gpu", "--gpu", "all"}, o, "r.json", gpus)[2].argv,
            (std::vector<std::string>{"elubench", "--device", "gpu", "--gpu", "2", "--out", "r-gpu2-a100-sxm4-80gb.json"}));

  // Run in order; the worst exit code wins; a run ended by a signal stops the rest.
  std::vector<int> codes = {0, 1, 0}, ran;
  auto fake = [&](const GpuRun& r) {
    ran.push_back(r.gpu.ordinal);
    return codes[static_cast<std::size_t>(r.gpu.ordinal)];
  };
  auto no_signal = [] { return 0; };
  EXPECT_EQ(run_gpu_runs(runs, fake, no_signal), 1);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
  ran.clear();
  codes = {0, 130, 0};
  EXPECT_EQ(run_gpu_runs(runs, fake, no_signal), 130);
  EXPECT_EQ(ran, (std::vector<int>{0, 1}));
  ran.clear();
  codes = {0, 0, 0};
  EXPECT_EQ(run_gpu_runs(runs, fake, [] { return 15; }), 128 + 15);  // SIGTERM reached us during GPU 0
  EXPECT_EQ(ran, (std::vector<int>{0}));
}

// exec_child's plumbing (fork, exec of this very binary, wait, exit code or 128 + signal), with
// this test binary as the child: EB_CHILD_EXIT makes the helper below end the way it says.
TEST(GpuAll, ChildHelper) {
  const char* how = std::getenv("EB_CHILD_EXIT");
  if (!how) return;  // run on its own it does nothing: it is the child of the test below
  if (std::string(how) == "term") ::raise(SIGTERM);
  std::_Exit(std::atoi(how));
}

TEST(GpuAll, ExecChildReportsHowTheChildEnded) {
  const GpuRun run{{0, "fake"}, "unused.json", {"test_bench_pipeline", "--gtest_filter=GpuAll.ChildHelper"}};
  ::setenv("EB_CHILD_EXIT", "3", 1);
  EXPECT_EQ(exec_child(run), 3);
  ::setenv("EB_CHILD_EXIT", "term", 1);
  EXPECT_EQ(exec_child(run), 128 + SIGTERM);
  ::unsetenv("EB_CHILD_EXIT");
  EXPECT_EQ(exec_child(run), 0);  // the helper does nothing: a clean exit
}

// Activations pair by name, so the lines for activations this registry does not have yet (and
// for forward + backward) are checked here on stand-in variants named as the registry names variants.
TEST(Summary, OtherActivationsAndForwardPlusBackwardPairByName) {
  std::vector<Variant> fakes;
  for (const char* act : {"relu", "relu_backward", "elu", "elu_backward", "gelu", "gelu_backward", "silu"}) {
    Variant v = *find_variant("cpu/relu/vectorized/f32");
    v.name = std::string("cpu/") + act + "/vectorized/f32";
    fakes.push_back(v);
  }
  const double t[] = {1e-3, 2e-3, 1.5e-3, 2.5e-3, 3e-3, 3e-3, 1.2e-3};  // seconds, in the order above
  std::vector<Row> rows;
  for (std::size_t i = 0; i < fakes.size(); ++i) {
    Row r;
    r.variant = &fakes[i];
    r.n = 1 << 20;
    r.threads = 1;
    r.status = Status::ok;
    r.time = compute_stats({t[i]});
    rows.push_back(r);
  }
  const auto lines = cost_summary(rows);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "cpu at n=2^20 (best kernel of each dtype): ELU's time over ReLU's is 1.50x in f32 on 1 thread; "
            "forward + backward 1.33x in f32 on 1 thread.");  // (1.5 + 2.5) / (1 + 2)
  EXPECT_EQ(lines[1], "  gelu vs ReLU: forward 3.00x in f32 on 1 thread; forward + backward 2.00x in f32 on 1 thread");
  EXPECT_EQ(lines[2], "  silu vs ReLU: forward 1.20x in f32 on 1 thread");  // no silu_backward: forward only
}

// The journal's repetitions: Google Benchmark's call sequences played through RepetitionLog
// (bench/run/repetitions.hpp). A row's first repetition grows its iteration count and reports its
// last call; later repetitions are one call each at that count; another row's call, the same
// row's call without more iterations, or the row's report ends a repetition.
TEST(RepetitionLog, JournalsTheReportedCallOfEachRepetitionOnly) {
  Row a = row("cpu/elu/naive/f32", 1024), b = row("cpu/relu/naive/f32", 1024);
  std::vector<std::pair<const Row*, double>> got;
  RepetitionLog log([&](const Row& r, double s) { got.emplace_back(&r, s); }, false);
  const auto call = [&](Row& r, long long iterations, double s) {
    log.starting(r, iterations);
    log.ended(r, iterations, s);
  };
  call(a, 1, 1.0);
  call(a, 10, 2.0);
  call(a, 100, 3.0);  // a's first repetition: the 100-iteration call is the one reported
  call(b, 1, 4.0);    // b's first repetition, one call long enough
  call(a, 100, 5.0);  // a's second repetition
  call(a, 100, 6.0);  // a's third, right after (interleaving can do that)
  call(b, 1, 7.0);
  log.reported(b);    // b's report: its last repetition is in its row line, not a sample line
  call(a, 100, 8.0);
  b.status = Status::failed;
  call(b, 1, 9.0);    // a failed row's loop: nothing of it counts
  log.starting(a, 100);
  const std::vector<std::pair<const Row*, double>> want = {{&a, 3.0}, {&b, 4.0}, {&a, 5.0}, {&a, 6.0}, {&a, 8.0}};
  EXPECT_EQ(got, want);
}

// With a warm-up (--benchmark_min_warmup_time), a row's first growing series is the warm-up: the
// measured calls start again from one iteration, and the warm-up's last call is not a repetition.
TEST(RepetitionLog, AWarmUpIsNotARepetition) {
  Row a = row("cpu/elu/naive/f32", 1024), b = row("cpu/relu/naive/f32", 1024);
  std::vector<double> got;
  RepetitionLog log([&](const Row&, double s) { got.push_back(s); }, true);
  for (const auto& [r, it, s] : {std::tuple{&a, 1LL, 1.0}, {&a, 10LL, 2.0}, {&a, 1LL, 3.0}, {&a, 10LL, 4.0},
                                 {&b, 1LL, 5.0}, {&b, 1LL, 6.0}, {&a, 10LL, 7.0}, {&a, 10LL, 8.0}}) {
    log.starting(*r, it);
    log.ended(*r, it, s);
  }
  log.starting(b, 1);
  EXPECT_EQ(got, (std::vector<double>{4.0, 6.0, 7.0, 8.0}));
  EXPECT_TRUE(warmup_requested({"--benchmark_min_warmup_time=0.5"}));
  EXPECT_FALSE(warmup_requested({"--benchmark_min_warmup_time=0.5", "--benchmark_min_warmup_time=0"}));
}
