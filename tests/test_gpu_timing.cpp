// The host-side rules of GPU timing, without a GPU: the stopping rule over sample streams, the
// hot batch size, the warm-up size and what every variant is warmed with, the throttle marking
// from clock readings, the JSON fields, NVML loaded at run time (absent: null fields with a
// reason; a fake library: real readings), the driver/toolkit verdict, the bandwidth a partly
// L2-resident row is judged against, and the output digest of the last timed call.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "cli/parse.hpp"
#include "timing/clocks.hpp"
#include "timing/gpu_warmup.hpp"
#include "timing/stopping_rule.hpp"
#include "timing/nvml.hpp"
#include "elubench/gpu.hpp"
#include "elubench/registry.hpp"
#include "trust/plausibility.hpp"
#include "plan/rows.hpp"
#include "results/ceilings.hpp"
#include "results/document.hpp"
#include "results/row.hpp"
#include "results/row_json.hpp"
#include "trust/reference_check.hpp"

using namespace elubench::bench;

namespace {

// A fake clock that advances `step` seconds per call, and a sample source from a vector.
struct FakeRun {
  std::vector<double> samples;
  double step = 0.001;
  std::size_t next = 0;
  double t = 0;
  SamplingOutcome go(const StopRule& rule) {
    int between = 0;
    auto o = sample_until_stop(
        rule, [&] { return samples[next++ % samples.size()]; }, [&] { ++between; }, [&] { return t += step; });
    EXPECT_EQ(between, static_cast<int>(o.samples.size()));  // between() after every sample
    return o;
  }
};

StopRule rule(double stdrel, int min_s, int max_s, double max_t) {
  StopRule r;
  r.stdrel = stdrel;
  r.min_samples = min_s;
  r.max_samples = max_s;
  r.max_time_s = max_t;
  return r;
}

}  // namespace

TEST(StopRule, ConstantSamplesStopOnStdrelAtTheMinimumCount) {
  FakeRun run{{1e-3}};
  const auto o = run.go(rule(0.005, 10, 1000, 100));
  EXPECT_EQ(o.stop_reason, StopReason::stdrel);
  EXPECT_EQ(o.samples.size(), 10u);  // zero spread: the minimum count is the only brake
  EXPECT_EQ(o.relative_standard_error, 0.0);
}

TEST(StopRule, NoisySamplesNeedAboutCvOverTargetSquared) {
  // Coefficient of variation 5%, target 0.5%: the standard error falls as 1/sqrt(k), so about
  // (5 / 0.5)^2 = 100 samples; never fewer than the minimum, and the verdict is stdrel.
  std::mt19937 rng(7);
  std::normal_distribution<double> d(1.0, 0.05);
  FakeRun run;
  for (int i = 0; i < 5000; ++i) run.samples.push_back(d(rng));
  const auto o = run.go(rule(0.005, 10, 100000, 1e9));
  EXPECT_EQ(o.stop_reason, StopReason::stdrel);
  EXPECT_GT(o.samples.size(), 60u);
  EXPECT_LT(o.samples.size(), 160u);
  EXPECT_LT(o.relative_standard_error, 0.005);
}

TEST(StopRule, CapsOnCountAndTime) {
  FakeRun noisy{{1.0, 2.0, 3.0, 10.0}};
  auto o = noisy.go(rule(1e-6, 5, 40, 1e9));
  EXPECT_EQ(o.stop_reason, StopReason::max_samples);
  EXPECT_EQ(o.samples.size(), 40u);
  EXPECT_GT(o.relative_standard_error, 1e-6);

  FakeRun slow{{1.0, 2.0}, 0.125};  // each sample advances the fake clock by 1/8 s (exact)
  o = slow.go(rule(1e-6, 5, 1000, 1.0));
  EXPECT_EQ(o.stop_reason, StopReason::max_time);
  EXPECT_EQ(o.samples.size(), 8u);

  // One sample longer than the cap stops there, before the minimum count.
  FakeRun huge{{5.0}, 5.0};
  o = huge.go(rule(0.005, 10, 1000, 1.0));
  EXPECT_EQ(o.stop_reason, StopReason::max_time);
  EXPECT_EQ(o.samples.size(), 1u);
  EXPECT_TRUE(std::isinf(o.relative_standard_error));
}

TEST(StopRule, StdrelWinsWhenSeveralHoldAtOnce) {
  Stopper s(rule(0.5, 2, 2, 0.0));
  EXPECT_EQ(s.add(1.0, 0.0), std::optional<StopReason>(StopReason::max_time));  // one sample: no stdrel yet
  EXPECT_EQ(s.add(1.0, 9.0), std::optional<StopReason>(StopReason::stdrel));
}

TEST(StopRule, WelfordMatchesTheTwoPassFormula) {
  Stopper s(rule(0, 1000, 1000, 1e9));
  const std::vector<double> x = {3e-6, 3.1e-6, 2.9e-6, 3.05e-6, 2.95e-6};
  for (double v : x) s.add(v, 0);
  const Stats st = compute_stats(x);
  EXPECT_NEAR(s.relative_standard_error(), st.stddev / st.mean / std::sqrt(5.0), 1e-12);
}

TEST(StopRule, FromTheCommandLine) {
  const char* argv[] = {"elubench", "--gpu-stdrel", "1", "--gpu-min-samples", "20", "--gpu-max-samples",
                        "50", "--gpu-max-time", "2.5"};
  const StopRule r = gpu_stop_rule(parse_args(9, argv));
  EXPECT_DOUBLE_EQ(r.stdrel, 0.01);
  EXPECT_EQ(r.min_samples, 20);
  EXPECT_EQ(r.max_samples, 50);
  EXPECT_DOUBLE_EQ(r.max_time_s, 2.5);
  const char* quick[] = {"elubench", "--quick"};
  EXPECT_DOUBLE_EQ(gpu_stop_rule(parse_args(2, quick)).max_time_s, 0.05);
  const char* plain[] = {"elubench"};
  const StopRule d = gpu_stop_rule(parse_args(1, plain));
  EXPECT_DOUBLE_EQ(d.stdrel, 0.005);
  EXPECT_EQ(d.min_samples, 10);
  for (std::vector<const char*> bad : {std::vector<const char*>{"elubench", "--gpu-stdrel", "0"},
                                       {"elubench", "--gpu-stdrel", "x"},
                                       {"elubench", "--gpu-max-time", "-1"},
                                       {"elubench", "--gpu-min-samples", "1"},
                                       {"elubench", "--gpu-min-samples", "30", "--gpu-max-samples", "20"},
                                       {"elubench", "--device", "cpu", "--gpu-stdrel", "1"}})
    EXPECT_THROW(parse_args(static_cast<int>(bad.size()), bad.data()), UsageError) << bad[1];
}

TEST(HotBatch, SizedFromTheMinimumSampleTime) {
  EXPECT_EQ(hot_batch(5e-6, 5e-4, 128), 100);   // 100 calls of 5 µs make 0.5 ms
  EXPECT_EQ(hot_batch(1e-6, 5e-4, 128), 128);   // capped by the launch queue
  EXPECT_EQ(hot_batch(2e-3, 5e-4, 128), 1);     // one call is already long enough
  EXPECT_EQ(hot_batch(0.0, 5e-4, 64), 64);      // too short to time
  EXPECT_EQ(hot_batch(1e-4, 5e-4, 0), 1);
}

TEST(Warmup, LargeNLimitedByFreeMemory) {
  const std::size_t gib = std::size_t{1} << 30;
  EXPECT_EQ(warmup_elements(1024, 80 * gib), std::size_t{1} << 26);         // small runs still warm at 2^26
  EXPECT_EQ(warmup_elements(std::size_t{1} << 28, 80 * gib), std::size_t{1} << 28);  // the largest size
  EXPECT_EQ(warmup_elements(std::size_t{1} << 28, 2 * gib), std::size_t{1} << 27);   // 2 x 512 MiB <= 1 GiB
  EXPECT_EQ(warmup_elements(std::size_t{1} << 28, gib), std::size_t{1} << 26);
  EXPECT_EQ(warmup_elements(1024, 4u << 20), 0u);                             // not even 2^20 fits
  // With a backward warmed, dy is a third buffer: 3 x 512 MiB > 1 GiB.
  EXPECT_EQ(warmup_elements(std::size_t{1} << 28, 2 * gib, 3), std::size_t{1} << 26);
}

// Every GPU variant of the registry is warmed with what its kind needs, at the sizes a warm-up
// can have (2^26; a run's largest size when larger, which need not be a multiple of 1024): none is
// refused by the variant's own argument checks (a backward without dy, a bias length that does not
// divide n), so no backward or bias variant goes untimed-cold or fills the JSON's warm-up note.
TEST(Warmup, EveryGpuVariantGetsTheBuffersItNeeds) {
  std::vector<const elubench::Variant*> gpu;
  for (const elubench::Variant& v : elubench::all_variants())
    if (v.device == elubench::Device::gpu) gpu.push_back(&v);
  if (gpu.empty()) GTEST_SKIP() << "built without CUDA: no GPU variants to warm";
  ASSERT_TRUE(std::any_of(gpu.begin(), gpu.end(), [](auto* v) { return v->is_backward(); }));
  ASSERT_TRUE(std::any_of(gpu.begin(), gpu.end(), [](auto* v) { return v->uses_bias; }));
  int dummy[4] = {};  // never dereferenced: only the argument checks run
  const WarmupBuffers b{&dummy[0], &dummy[1], &dummy[2], &dummy[3]};
  const auto checks_only = [](const elubench::Variant& v, const elubench::RunArgs& a) { v.check_args(a); };
  for (std::size_t n : {std::size_t{1} << 26, (std::size_t{1} << 28) + 3 * 4096 + 512, std::size_t{300000001}}) {
    std::string note;
    const auto warmed = warm_up_variants(gpu, n, b, checks_only, &note);
    EXPECT_EQ(warmed.size(), gpu.size()) << "n=" << n << ": " << note;
    EXPECT_EQ(note, "") << "n=" << n;
    EXPECT_EQ(n % warmup_bias_cols(n), 0u) << n;
  }
}

TEST(Throttle, SteadyClocksAndIdleAreNotThrottled) {
  std::vector<ClockReading> r(3);
  for (auto& x : r) {
    x.sm_mhz = 1980;
    x.mem_mhz = 3201;
    x.reasons = throttle_bits::gpu_idle;  // idle between samples says nothing about the samples
  }
  r[1].sm_mhz = 1900;  // 4% move: within the 5% limit
  r[2].temperature_c = 55;
  r[2].power_w = 400.5;
  const ClockSummary s = summarize_clocks(r);
  EXPECT_FALSE(s.throttled);
  EXPECT_TRUE(s.why.empty());
  EXPECT_EQ(s.sm_min, 1900u);
  EXPECT_EQ(s.sm_max, 1980u);
  EXPECT_EQ(s.temperature_max_c, 55u);
  EXPECT_DOUBLE_EQ(*s.power_max_w, 400.5);
  EXPECT_EQ(s.readings, 3);
  EXPECT_THROW(summarize_clocks({}), std::invalid_argument);
}

TEST(Throttle, ClockMoveOrPowerAndThermalReasonsMarkTheRow) {
  std::vector<ClockReading> r(2);
  r[0].sm_mhz = 1980;
  r[1].sm_mhz = 1755;  // 11% lower
  ClockSummary s = summarize_clocks(r);
  EXPECT_TRUE(s.throttled);
  EXPECT_EQ(s.why, std::vector<std::string>{"sm_clock_moved"});

  r[1].sm_mhz = 1980;
  r[1].reasons = throttle_bits::sw_power_cap | throttle_bits::hw_thermal | throttle_bits::sync_boost;
  s = summarize_clocks(r);
  EXPECT_TRUE(s.throttled);
  EXPECT_EQ(s.why, (std::vector<std::string>{"sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_EQ(throttle_reason_names(s.reasons),
            (std::vector<std::string>{"sw_power_cap", "sync_boost", "hw_thermal_slowdown"}));
  EXPECT_EQ(throttle_reason_names(0x1000), std::vector<std::string>{"bit_0x1000"});
}

TEST(GpuTimingJson, RowFieldsWithAndWithoutClocks) {
  GpuRowTiming t;
  t.stop_reason = StopReason::stdrel;
  t.sample_count = 42;
  t.relative_standard_error = 0.004;
  t.clocks_reason = "NVML not loaded: libnvidia-ml.so.1: cannot open shared object file";
  nlohmann::json j = gpu_row_timing_to_json(t);
  EXPECT_EQ(j["stop_reason"], "stdrel");
  EXPECT_EQ(j["sample_count"], 42);
  EXPECT_TRUE(j["clocks"].is_null());
  EXPECT_TRUE(j["throttled"].is_null());  // unknown, not false
  EXPECT_EQ(j["clocks_reason"], t.clocks_reason);

  std::vector<ClockReading> r(2);
  r[0].sm_mhz = 1980;
  r[1].sm_mhz = 1500;
  r[1].reasons = throttle_bits::hw_slowdown;
  t.clocks = summarize_clocks(r);
  t.relative_standard_error = INFINITY;
  j = gpu_row_timing_to_json(t);
  EXPECT_EQ(j["throttled"], true);
  EXPECT_EQ(j["throttle"], (nlohmann::json{"sm_clock_moved", "hw_slowdown"}));
  EXPECT_EQ(j["clocks"]["sm_mhz"]["min"], 1500);
  EXPECT_TRUE(j["clocks_reason"].is_null());
  EXPECT_TRUE(j["relative_standard_error"].is_null());  // JSON has no infinity

  GpuTimingSetup s;
  s.flush_method = "write then read a buffer of 2x L2";
  s.flush_bytes = 120u << 20;
  s.warmup_n = 1u << 26;
  s.warmup_variants = {"gpu/elu/cub/f32"};
  s.nvml = "available";
  j = gpu_timing_setup_to_json(s);
  EXPECT_EQ(j["flush"]["method"], s.flush_method);
  EXPECT_EQ(j["warmup"]["n"], 1u << 26);
  EXPECT_EQ(j["stop_rule"]["min_samples"], 10);
  s.flush_method.clear();  // hot mode
  EXPECT_TRUE(gpu_timing_setup_to_json(s)["flush"].is_null());
}

TEST(Nvml, MissingLibraryLeavesAReason) {
  Nvml n("libnvidia-ml-absent-for-the-test.so.1");
  EXPECT_FALSE(n.loaded());
  EXPECT_FALSE(n.available());
  EXPECT_NE(n.reason().find("libnvidia-ml-absent-for-the-test.so.1"), std::string::npos) << n.reason();
  EXPECT_FALSE(n.read().has_value());
  EXPECT_FALSE(n.open_by_index(0));
}

#ifdef ELUBENCH_FAKE_NVML
TEST(Nvml, FakeLibraryIsReadAndMarked) {
  Nvml n(ELUBENCH_FAKE_NVML);
  ASSERT_TRUE(n.loaded()) << n.reason();
  EXPECT_FALSE(n.available());  // no device opened yet
  EXPECT_FALSE(n.open_by_index(3));
  EXPECT_NE(n.reason().find("fake NVML error"), std::string::npos) << n.reason();
  ASSERT_TRUE(n.open_by_pci_bus_id("00000000:65:00.0")) << n.reason();
  std::vector<ClockReading> r;
  for (int i = 0; i < 4; ++i) r.push_back(n.read().value());
  EXPECT_EQ(r[0].mem_mhz, 3201u);
  EXPECT_EQ(r[0].temperature_c, 61u);
  EXPECT_NEAR(*r[0].power_w, 612.345, 1e-9);
  const ClockSummary s = summarize_clocks(r);
  EXPECT_EQ(s.sm_min, 1700u);
  EXPECT_EQ(s.sm_max, 1980u);
  EXPECT_EQ(s.why, (std::vector<std::string>{"sm_clock_moved", "sw_power_cap"}));
}
#endif

// A driver older than the toolkit gets a plan (fake drivers below and above 580): what was
// found, what this build needs, and the two ways out that apply to that driver.
TEST(DriverCheck, BelowAndAbove580) {
  using elubench::gpu::judge_driver;
  const auto old = judge_driver(12080, 13000, "570.86.15");
  EXPECT_FALSE(old.ok);
  EXPECT_EQ(old.pair, "NVIDIA driver 570.86.15 (CUDA 12.8) | this build: CUDA 13.0 runtime, needs driver >= 580");
  for (const char* want : {"570.86.15", "(CUDA 12.8)", "CUDA 13.0 runtime", "driver >= 580", "CUDA 12 toolkit",
                           "cmake --preset default", "scripts/bundle.sh", "forward-compatibility",
                           "cuda-compat-13-0", "/usr/local/cuda-13.0/compat"})
    EXPECT_NE(old.plan.find(want), std::string::npos) << want << " in: " << old.plan;
  for (const auto& fresh : {judge_driver(13000, 13000, "580.65.06"), judge_driver(13010, 13000, "590.44.01")}) {
    EXPECT_TRUE(fresh.ok) << fresh.pair;
    EXPECT_EQ(fresh.plan, "");
  }
  EXPECT_EQ(judge_driver(13010, 13000, "590.44.01").pair,
            "NVIDIA driver 590.44.01 (CUDA 13.1) | this build: CUDA 13.0 runtime, needs driver >= 580");
  // A CUDA 12 build on a 12.x driver: minor-version compatibility.
  EXPECT_TRUE(judge_driver(12020, 12040, "535.104.05").ok);
  // A CUDA 11 driver: a CUDA 12 build would not run either, so only a newer driver is offered.
  const auto r470 = judge_driver(11040, 13000, "470.256.02");
  EXPECT_FALSE(r470.ok);
  EXPECT_EQ(r470.plan.find("cmake"), std::string::npos) << r470.plan;
  EXPECT_NE(r470.plan.find("driver >= 580"), std::string::npos) << r470.plan;
  const auto none = judge_driver(0, 13000, "");
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.pair, "NVIDIA driver: none found | this build: CUDA 13.0 runtime, needs driver >= 580");
  EXPECT_EQ(elubench::gpu::min_driver_release(12040), 525);
}

// A GPU row whose working set is 1-4x the L2 can beat the DRAM peak honestly (part of it stays
// in L2: hot replays, or a cold row's y written into a clean L2): it is judged against the L2
// bound. A row far larger than the L2 is still judged against the DRAM peak, and nothing passes
// the L2 bound.
TEST(Plausibility, PartlyL2ResidentRowsAreJudgedAgainstTheL2Bound) {
  const elubench::Variant* v = elubench::find_variant("gpu/elu/vectorized/f16");
  if (!v) GTEST_SKIP() << "built without CUDA: no GPU variants";
  // H100-like: 50 MiB L2, 3,350 GB/s HBM, L2 bound 132 SMs x 128 B x 1.98 GHz.
  const GpuBandwidthLimits h100{3350, 132 * 128 * 1.98, std::size_t{50} << 20};
  const auto row = [&](std::size_t n, Cache cache, double gbps) {
    Row r;
    r.variant = v;
    r.n = n;
    r.cache = cache;
    r.bytes = elubench::bytes_moved(*v, n, 0);
    r.cache_resident = r.bytes <= h100.l2_bytes;
    r.status = Status::ok;
    r.time = compute_stats({static_cast<double>(r.bytes) / (gbps * 1e9)});
    r.gbps = gbps;
    return r;
  };
  std::vector<Row> rows = {row(1 << 24, Cache::hot, 4800),    // 64 MiB, 1.3x L2: 1.4x the DRAM peak, honest
                           row(1 << 24, Cache::cold, 4800),   // the same working set, cold
                           row(1 << 28, Cache::hot, 4800),    // 1 GiB: cannot
                           row(1 << 24, Cache::hot, 40000)};  // beyond the L2 bound too
  EXPECT_EQ(fail_impossible_bandwidth(rows, h100), 2);
  EXPECT_EQ(rows[0].status, Status::ok) << rows[0].reason;
  EXPECT_EQ(rows[1].status, Status::ok) << rows[1].reason;
  ASSERT_EQ(rows[2].status, Status::failed);
  EXPECT_NE(rows[2].reason.find("theoretical peak"), std::string::npos) << rows[2].reason;
  ASSERT_EQ(rows[3].status, Status::failed);
  EXPECT_NE(rows[3].reason.find("L2 bound"), std::string::npos) << rows[3].reason;
}

// The digest that lets a GPU row's last timed output skip its second float64 pass: the same
// bytes give the same digest, one flipped bit anywhere (or one byte more) another.
TEST(OutputDigest, SameBytesSameDigestAnyChangeAnother) {
  std::vector<unsigned char> a((std::size_t{1} << 24) + 5);  // two of the digest's 16 MiB chunks
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<unsigned char>(i * 131 + (i >> 11));
  const std::uint64_t d = output_digest(a.data(), a.size());
  EXPECT_EQ(output_digest(a.data(), a.size()), d);
  for (std::size_t at : {std::size_t{0}, std::size_t{1} << 23, a.size() - 1}) {
    auto b = a;
    b[at] ^= 0x10;
    EXPECT_NE(output_digest(b.data(), b.size()), d) << at;
  }
  EXPECT_NE(output_digest(a.data(), a.size() - 1), d);
}
