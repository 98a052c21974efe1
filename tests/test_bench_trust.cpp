// The pieces that keep a wrong kernel from getting a number and a run from being lost: the
// adversarial input, the impossible-bandwidth rule, and the journal's row round trip. The
// binary-level proofs (planted kernels, signals, full disk) are tests/bench_*_test.sh.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "trust/adversarial.hpp"
#include "build_info.hpp"
#include "buffers/guards.hpp"
#include "buffers/host_buffer.hpp"
#include "results/journal.hpp"
#include "trust/plausibility.hpp"
#include "results/row.hpp"
#include "results/row_json.hpp"
#include "run/run_guard.hpp"
#include "test_support.hpp"

using namespace elubench;
using namespace elubench::bench;

namespace {

const Variant& named(const char* name) {
  const Variant* v = find_variant(name);
  if (!v) throw std::runtime_error(std::string("registry lacks ") + name);
  return *v;
}

Row ok_row(const char* name, std::size_t n, std::vector<double> samples) {
  Row r;
  r.variant = &named(name);
  r.n = n;
  r.threads = 1;
  r.params = default_params(r.variant->activation);
  r.bytes = bytes_moved(*r.variant, n, 0);
  r.status = Status::ok;
  r.time = compute_stats(std::move(samples));
  r.accuracy = AccuracyRecord{1, 1e-9, "<= 2 ULP", n};
  return r;
}

}  // namespace

TEST(Adversarial, BothSignsEdgesAtBoundariesAndNanOnlyWhenPromised) {
  const auto with = adversarial_input(Dtype::f32, kAdversarialN, true);
  const auto without = adversarial_input(Dtype::f32, kAdversarialN, false);
  std::size_t neg = 0, pos = 0, nan_with = 0, nan_without = 0, tiny_neg = 0, inf = 0;
  for (std::size_t i = 0; i < kAdversarialN; ++i) {
    const float a = load_as_float(with.data(), i, Dtype::f32);
    const float b = load_as_float(without.data(), i, Dtype::f32);
    neg += a < 0;
    pos += a > 0;
    nan_with += std::isnan(a);
    nan_without += std::isnan(b);
    tiny_neg += a == -1e-8f;
    inf += std::isinf(a);
  }
  EXPECT_GT(neg, kAdversarialN / 3);
  EXPECT_GT(pos, kAdversarialN / 3);
  EXPECT_GT(nan_with, 0u);
  EXPECT_EQ(nan_without, 0u);
  // Edge blocks at the start, straddling every power-of-two boundary 64..1024, and at the end
  // (the blocks for 8, 16 and 32 overlap the first one: elements 0..46 are all edge values).
  EXPECT_GE(tiny_neg, 8u);
  EXPECT_GE(inf, 14u);
  EXPECT_NE(kAdversarialN % 2, 0u) << "no vector width may divide the length";
  EXPECT_EQ(kAdversarialN % kAdversarialCols, 0u) << "bias variants need n = rows * cols";
}

TEST(Adversarial, EveryCpuVariantPassesAtEveryAlpha) {
  for (const Variant& v : all_variants()) {
    if (v.device != Device::cpu) continue;
    for (const ActivationParams& p : test_support::param_sweep(v)) {
      if (test_support::known_peer_refuses_alpha(v, p[0])) continue;
      const CheckResult c = check_adversarial(v, p, 2);
      EXPECT_TRUE(c.ok) << v.name << " " << test_support::describe(v, p) << ": " << c.message;
    }
  }
}

TEST(Plausibility, HonestRatiosPassAndImpossibleOnesFail) {
  // The copy's fastest sample (1e-6 s) is the ceiling, not its slowed median (5e-6 s).
  std::vector<Row> rows = {ok_row("cpu/copy/memcpy/f32", 1 << 16, {5e-6, 5e-6, 1e-6}),
                           ok_row("cpu/relu/naive/f32", 1 << 16, {0.5e-6, 0.5e-6, 0.5e-6}),   // 2x: honest
                           ok_row("cpu/relu/vectorized/f32", 1 << 16, {0.3e-6, 0.3e-6, 0.3e-6})};  // 3.3x
  derive_metrics(rows, 0.0);
  EXPECT_EQ(fail_impossible_bandwidth(rows, 0.0), 1);
  EXPECT_EQ(rows[0].status, Status::ok);
  EXPECT_EQ(rows[1].status, Status::ok);
  ASSERT_EQ(rows[2].status, Status::failed);
  EXPECT_EQ(rows[2].reason.rfind("impossible bandwidth: ", 0), 0u) << rows[2].reason;
  EXPECT_FALSE(rows[2].time || rows[2].gbps || rows[2].pct_of_ceiling);
}

TEST(Journal, RowsRoundTripAndAResultsFileResumesWithoutItsInterruptedRows) {
  Row done = ok_row("cpu/elu/naive/f32", 4096, {3e-6, 2e-6, 4e-6});
  Row failed = ok_row("cpu/elu/vectorized/f32", 4096, {1e-6});
  failed.status = Status::failed;
  failed.time.reset();
  failed.reason = "element 3: wrong";
  failed.accuracy->max_ulp = INFINITY;
  Row cut = ok_row("cpu/relu/naive/f32", 4096, {1e-6});
  cut.status = Status::interrupted;
  cut.time.reset();
  cut.reason = "interrupted before this row ran";
  const Row back = row_from_json(row_to_json(done));
  EXPECT_EQ(back.label(), done.label());
  EXPECT_EQ(back.time->samples, done.time->samples);
  EXPECT_EQ(row_from_json(row_to_json(failed)).accuracy->max_ulp, INFINITY);

  char path[] = "/tmp/eb_journal_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  nlohmann::json doc = {{"schema", "elubench-results"},
                        {"config", {{"argv", {"elubench", "--device", "cpu"}}}},
                        {"results", {row_to_json(done), row_to_json(failed), row_to_json(cut)}}};
  std::ofstream(path) << doc.dump(1);
  const ResumeState s = load_resume(path);
  EXPECT_FALSE(s.from_journal);
  EXPECT_EQ(s.argv, (std::vector<std::string>{"elubench", "--device", "cpu"}));
  ASSERT_EQ(s.done.size(), 2u);  // the interrupted row runs again
  EXPECT_EQ(s.done[1].status, Status::failed);

  // A journal whose last line was torn by a crash: the finished lines count, the torn one runs again.
  std::ofstream(path) << nlohmann::json{{"elubench_journal", 1}, {"out", "x.json"}, {"argv", {"elubench"}}}.dump()
                      << "\n" << row_to_json(done).dump() << "\n{\"name\": \"cpu/elu/na";
  const ResumeState j = load_resume(path);
  EXPECT_TRUE(j.from_journal);
  EXPECT_EQ(j.out, "x.json");
  EXPECT_EQ(j.done.size(), 1u);
  std::remove(path);
}

// Rows that differ only in alpha are different rows when a run resumes: each finished one is
// adopted by its own planned row, and a v2 row without `params` reads as having run at `alpha`.
TEST(Journal, AlphaIsPartOfARowsIdentity) {
  Row half = ok_row("cpu/elu/naive/f32", 4096, {3e-6});
  half.params = test_support::with_alpha(0.5f);
  const Row back = row_from_json(row_to_json(half));
  EXPECT_EQ(back.params, half.params);
  EXPECT_EQ(back.label(), half.label());
  nlohmann::json v2 = row_to_json(half);
  v2.erase("params");
  v2["alpha"] = 0.5;  // schema 1-2: no params, the run's alpha
  EXPECT_EQ(row_from_json(v2).params, half.params);

  Row one = ok_row("cpu/elu/naive/f32", 4096, {1e-6}), two = one;
  two.params = test_support::with_alpha(2.0f);
  one.status = two.status = Status::pending;
  one.time.reset();
  two.time.reset();
  std::vector<Row> planned = {one, two};
  adopt_finished_rows(planned, {half, row_from_json(row_to_json(ok_row("cpu/elu/naive/f32", 4096, {7e-6})))}, 1);
  EXPECT_EQ(planned[0].status, Status::ok);  // alpha 1: the finished alpha-1 row
  EXPECT_EQ(planned[0].time->samples, std::vector<double>{7e-6});
  EXPECT_EQ(planned[1].status, Status::pending);  // alpha 2: nothing finished it; alpha 0.5 is another row
}

// The device buffers' guards, run on host memory: the same GuardedBuffer code the bench runs on
// the GPU (DeviceBuffer), with memcpy for the copies. A write past the end or before the start is
// found with its offset, an input that changed is found at its first changed byte, and arm()
// makes a breached buffer whole again.
TEST(Guards, GuardedBufferFindsWritesOutsideAndChangedInputs) {
  GuardedBuffer<HostMemory> buf(1000 * sizeof(float));
  auto* f = static_cast<float*>(buf.get());
  std::vector<float> host(1000, 1.5f);
  std::copy(host.begin(), host.end(), f);
  EXPECT_FALSE(buf.overwritten());
  EXPECT_FALSE(buf.first_difference_from(host.data()));
  f[1000] = 0.0f;  // one element past the end
  ASSERT_TRUE(buf.overwritten());
  EXPECT_EQ(*buf.overwritten(), 4000);
  EXPECT_EQ(describe_write_outside("y", *buf.overwritten(), 1000, 4), "wrote outside y: y[1000] (byte 0 past its end; n = 1000)");
  buf.arm();
  EXPECT_FALSE(buf.overwritten());
  f[-1] = 0.0f;  // one before the start: the byte nearest the data is named
  ASSERT_TRUE(buf.overwritten());
  EXPECT_EQ(*buf.overwritten(), -1);
  EXPECT_EQ(describe_write_outside("y", -1, 1000, 4), "wrote outside y: y[-1] (byte 1 before its start; n = 1000)");
  buf.arm();
  f[517] = 2.0f;  // an input written into
  ASSERT_TRUE(buf.first_difference_from(host.data()));
  EXPECT_EQ(*buf.first_difference_from(host.data()) / sizeof(float), 517u);
}

// Host inputs are read-only: a write into one is noted with its address (and then allowed to
// happen), so the row that wrote it can be named; a write into the canaries just past an input
// is a write outside it. HostBuffer's own canaries guard an output.
TEST(Guards, HostInputsAreReadOnlyAndOutputsHaveCanaries) {
  HostBuffer x(1024 * sizeof(float), HostBuffer::kOffsetX), y(1024 * sizeof(float), HostBuffer::kOffsetY);
  x.protect();
  EXPECT_EQ(take_input_write(), nullptr);
  reinterpret_cast<volatile float*>(x.data())[700] = 3.0f;
  const void* at = take_input_write();
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(describe_input_write("x", *x.offset_of(at), 1024, 4), "wrote into its input x: x[700] (n = 1024)");
  EXPECT_EQ(take_input_write(), nullptr) << "each write is reported once";
  reinterpret_cast<volatile float*>(x.data())[1024] = 3.0f;
  at = take_input_write();
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(describe_input_write("x", *x.offset_of(at), 1024, 4), "wrote outside x: x[1024] (byte 0 past its end; n = 1024)");
  x.unprotect();
  x.data()[0] = 1;  // writable again, and nothing noted
  EXPECT_EQ(take_input_write(), nullptr);

  EXPECT_FALSE(y.overwritten());
  y.data()[4096 + 17] = 0x11;
  ASSERT_TRUE(y.overwritten());
  EXPECT_EQ(*y.overwritten(), 4096 + 17);
  y.arm();
  y.data()[-3] = 0x11;
  ASSERT_TRUE(y.overwritten());
  EXPECT_EQ(*y.overwritten(), -3);
}

namespace {
std::string temp_path() {
  char path[] = "/tmp/eb_journal_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp");
  ::close(fd);
  return path;
}
nlohmann::json header_v2(const std::string& revision) {
  return {{"elubench_journal", 2}, {"out", "x.json"}, {"argv", {"elubench"}}, {"revision", revision}};
}
nlohmann::json sample(const std::string& label, double s) { return {{"sample", {{"row", label}, {"s", s}}}}; }
}  // namespace

// Every line carries a CRC-32: a damaged line in the middle is skipped with a warning naming it
// (its row runs again), not the end of the resume. The repetitions of unfinished rows come back
// by row, from this build only; a row that finished drops its repetition lines.
TEST(Journal, DamagedLinesAreSkippedAndRepetitionsComeBack) {
  const Row done = ok_row("cpu/elu/naive/f32", 4096, {3e-6, 2e-6});
  const Row edited = ok_row("cpu/relu/naive/f32", 4096, {1e-6});
  const std::string unfinished = "cpu/elu/vectorized/f32 n=4096 threads=1";
  std::string damaged = journal_line(row_to_json(edited));
  damaged.replace(damaged.find("1e-06"), 5, "5e-07");  // a 2x faster time, still valid JSON
  const std::string path = temp_path();
  const auto write = [&](const std::string& revision) {
    std::ofstream(path) << journal_line(header_v2(revision)) << "\n" << journal_line(row_to_json(done)) << "\n"
                        << damaged << "\n" << journal_line(sample(unfinished, 1e-6)) << "\n"
                        << journal_line(sample(done.label(), 9e-6)) << "\n" << journal_line(sample(unfinished, 2e-6))
                        << "\n" << R"({"name": "cpu/elu/na)";
  };
  write(build_info::git_revision);
  testing::internal::CaptureStderr();
  const ResumeState s = load_resume(path);
  const std::string said = testing::internal::GetCapturedStderr();
  ASSERT_EQ(s.done.size(), 1u);
  EXPECT_EQ(s.done[0].label(), done.label());
  EXPECT_EQ(s.partial.size(), 1u) << "the finished row's repetition line is history";
  EXPECT_EQ(s.partial.at(unfinished), (std::vector<double>{1e-6, 2e-6}));
  EXPECT_NE(said.find("line 3 skipped: its checksum does not match its content"), std::string::npos) << said;
  EXPECT_NE(said.find("line 7 skipped"), std::string::npos) << said;
  EXPECT_EQ(s.journal, path);

  write("another-build");
  testing::internal::CaptureStderr();
  EXPECT_TRUE(load_resume(path).partial.empty());
  EXPECT_NE(testing::internal::GetCapturedStderr().find("from another build"), std::string::npos);
  std::remove(path.c_str());
}

// Opening a journal to append cuts a torn last line back to the last newline, so the next line
// is not glued onto the fragment (which a later resume would read as a damaged line).
TEST(Journal, AppendingCutsATornLastLine) {
  const Row done = ok_row("cpu/elu/naive/f32", 4096, {3e-6});
  const std::string path = temp_path();
  std::ofstream(path) << journal_line(header_v2(build_info::git_revision)) << "\n" << journal_line(row_to_json(done))
                      << "\n" << R"(0badc0de {"name": "cpu/elu/na)";
  testing::internal::CaptureStderr();
  {
    Journal j(path, header_v2(build_info::git_revision), true);
    j.append(row_to_json(ok_row("cpu/relu/naive/f32", 4096, {1e-6})));
  }
  EXPECT_NE(testing::internal::GetCapturedStderr().find("cut off a torn last line"), std::string::npos);
  testing::internal::CaptureStderr();
  const ResumeState s = load_resume(path);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "every line is whole";
  EXPECT_EQ(s.done.size(), 2u);
  std::remove(path.c_str());
}

// A finished row read back is checked against this run's plan before it is adopted; one that
// this run could not have written runs again.
TEST(Journal, ResumedRowsAreCheckedAgainstThePlan) {
  const Row good = ok_row("cpu/elu/naive/f32", 4096, {3e-6, 2e-6, 4e-6});
  Row planned = good;
  planned.status = Status::pending;
  planned.time.reset();
  EXPECT_EQ(implausible_resumed_row(good, planned, 3), "");
  Row r = good;
  r.bytes *= 2;
  EXPECT_NE(implausible_resumed_row(r, planned, 3).find("bytes"), std::string::npos);
  EXPECT_NE(implausible_resumed_row(good, planned, 10).find("3 samples, this run takes 10"), std::string::npos);
  r = good;
  r.time->samples[1] = -1e-6;
  EXPECT_NE(implausible_resumed_row(r, planned, 3).find("positive time"), std::string::npos);
  r = good;
  r.accuracy->tolerance = "<= 9 ULP";
  EXPECT_NE(implausible_resumed_row(r, planned, 3).find("checked to '<= 9 ULP'"), std::string::npos);
  r = good;
  r.accuracy->max_ulp = 7;
  EXPECT_NE(implausible_resumed_row(r, planned, 3).find("outside its tolerance"), std::string::npos);
  std::vector<Row> rows = {planned};
  testing::internal::CaptureStderr();
  adopt_finished_rows(rows, {r}, 3);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("not adopted"), std::string::npos);
  EXPECT_EQ(rows[0].status, Status::pending);
}
