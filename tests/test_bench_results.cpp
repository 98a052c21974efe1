// The results writer: statistics, ceilings and percentages, the row shapes the schema asks
// for, and the file rules (atomic write, no silent overwrite).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <set>
#include <tuple>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/selectable.hpp"
#include "trust/plausibility.hpp"
#include "plan/inputs.hpp"
#include "plan/platform.hpp"
#include "plan/rows.hpp"
#include "plan/suite.hpp"
#include "results/ceilings.hpp"
#include "results/document.hpp"
#include "results/output_file.hpp"
#include "results/row.hpp"
#include "results/row_json.hpp"
#include "trust/reference_check.hpp"
#include "test_support.hpp"

using namespace elubench;
using namespace elubench::bench;
namespace fs = std::filesystem;

namespace {

const Variant& named(const char* name) {
  const Variant* v = find_variant(name);
  if (!v) throw std::runtime_error(std::string("registry lacks ") + name);
  return *v;
}

Row ok_row(const char* name, std::size_t n, double seconds) {
  Row r;
  r.variant = &named(name);
  r.n = n;
  r.threads = 1;
  r.params = default_params(r.variant->activation);
  r.bytes = bytes_moved(*r.variant, n, 0);
  r.status = Status::ok;
  r.time = compute_stats({seconds, seconds * 1.1, seconds * 0.9});
  r.accuracy = AccuracyRecord{0, 0, "bit-exact", n};
  return r;
}

fs::path temp_dir() {
  char tmpl[] = "/tmp/eb_results_XXXXXX";
  return fs::path(mkdtemp(tmpl));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(Stats, MedianMeanStddevKeepSamplesInOrder) {
  const Stats s = compute_stats({4, 1, 3, 2});
  EXPECT_EQ(s.samples, (std::vector<double>{4, 1, 3, 2}));
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 4);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.stddev, std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_DOUBLE_EQ(compute_stats({7}).stddev, 0);
  EXPECT_THROW(compute_stats({}), std::invalid_argument);
}

TEST(Metrics, CeilingIsTheFastestCopyAndPercentagesUseIt) {
  std::vector<Row> rows = {ok_row("cpu/copy/memcpy/f32", 1 << 20, 1e-3), ok_row("cpu/elu/naive/f32", 1 << 20, 4e-3)};
  Row other_threads = ok_row("cpu/copy/memcpy/f32", 1 << 20, 5e-4);
  other_threads.threads = 2;  // a different key: must not become the 1-thread ceiling
  rows.push_back(other_threads);
  Row failed = ok_row("cpu/relu/naive/f32", 1 << 20, 1e-3);
  failed.status = Status::failed;
  failed.time.reset();
  failed.reason = "wrong";
  rows.push_back(failed);
  Row never_ran;
  never_ran.variant = &named("cpu/relu/naive/f32");
  never_ran.n = 1024;
  rows.push_back(never_ran);

  const auto ceilings = derive_metrics(rows, 0);
  ASSERT_EQ(ceilings.size(), 2u);
  EXPECT_EQ(ceilings[0].variant, "cpu/copy/memcpy/f32");
  const double copy_gbps = 8.0 * (1 << 20) / 1e-3 / 1e9;
  EXPECT_NEAR(*rows[0].gbps, copy_gbps, 1e-9);
  EXPECT_NEAR(*rows[0].pct_of_ceiling, 100.0, 1e-9);
  EXPECT_NEAR(*rows[1].pct_of_ceiling, 25.0, 1e-9);
  EXPECT_NEAR(*rows[1].elements_per_s, (1 << 20) / 4e-3, 1e-3);
  EXPECT_FALSE(rows[1].pct_of_peak.has_value());  // CPU rows have no theoretical peak
  EXPECT_FALSE(rows[3].gbps.has_value());
  EXPECT_EQ(rows[4].status, Status::skipped);  // pending at the end means it never ran
  EXPECT_FALSE(rows[4].reason.empty());
}

// Each (device, dtype, n, threads) cell takes the fastest of the copies measured in it, whichever
// that is, and the JSON names it; no copy's name is special.
TEST(Metrics, EachCellsCeilingIsItsOwnWinner) {
  const std::size_t small = 1 << 12, large = 1 << 24;
  std::vector<Row> rows = {ok_row("cpu/copy/memcpy/f32", small, 2e-6), ok_row("cpu/copy/vectorized/f32", small, 1e-6),
                           ok_row("cpu/copy/nontemporal/f32", small, 4e-6), ok_row("cpu/relu/vectorized/f32", small, 1e-6),
                           ok_row("cpu/copy/memcpy/f32", large, 4e-3), ok_row("cpu/copy/vectorized/f32", large, 5e-3),
                           ok_row("cpu/copy/nontemporal/f32", large, 3e-3), ok_row("cpu/relu/vectorized/f32", large, 5e-3)};
  const auto ceilings = derive_metrics(rows, 0);
  ASSERT_EQ(ceilings.size(), 2u);
  EXPECT_EQ(ceilings[0].n, small);
  EXPECT_EQ(ceilings[0].variant, "cpu/copy/vectorized/f32");
  EXPECT_EQ(ceilings[1].variant, "cpu/copy/nontemporal/f32");
  EXPECT_NEAR(*rows[3].pct_of_ceiling, 100.0, 1e-9);
  EXPECT_NEAR(*rows[7].pct_of_ceiling, 60.0, 1e-9);  // 3 ms against the winner, not memcpy's 4 ms
  EXPECT_NEAR(*rows[4].pct_of_ceiling, 75.0, 1e-9);  // memcpy is judged against the winner too
  EXPECT_EQ(ceiling_to_json(ceilings[1])["variant"], "cpu/copy/nontemporal/f32");
}

// A row asked for 2 threads may run on one (small n, or a peer's own pool), so the 1-thread copy
// is within its reach: where it beat the 2-thread copies (a hand-off to a busy second core), it
// is the 2-thread cell's ceiling, and the JSON says it ran on 1 thread. Never the other way.
TEST(Metrics, ACellsCeilingIsTheBestCopyWithUpToItsThreads) {
  const std::size_t n = 1 << 14;
  auto at = [](Row r, int threads) {
    r.threads = threads;
    return r;
  };
  std::vector<Row> rows = {ok_row("cpu/copy/vectorized/f32", n, 1e-6), at(ok_row("cpu/copy/vectorized/f32", n, 3e-6), 2),
                           at(ok_row("cpu/relu/xnnpack/f32", n, 1e-6), 2),
                           ok_row("cpu/copy/memcpy/f32", 4 * n, 8e-6), at(ok_row("cpu/copy/memcpy/f32", 4 * n, 5e-6), 2)};
  const auto ceilings = derive_metrics(rows, 0);
  ASSERT_EQ(ceilings.size(), 4u);
  const Ceiling& two = ceilings[1];
  EXPECT_EQ(two.threads, 2);
  EXPECT_EQ(two.variant, "cpu/copy/vectorized/f32");
  EXPECT_EQ(two.copy_threads, 1);
  EXPECT_EQ(ceiling_to_json(two)["copy_threads"], 1);
  EXPECT_NEAR(*rows[2].pct_of_ceiling, 100.0, 1e-9);  // against the 1-thread copy, not 300%
  EXPECT_NEAR(*rows[1].pct_of_ceiling, 100.0 / 3, 1e-9);
  EXPECT_FALSE(ceilings[3].copy_threads.has_value());  // the 2-thread copy won its own cell
  EXPECT_FALSE(ceiling_to_json(ceilings[3]).contains("copy_threads"));
  EXPECT_NEAR(ceilings[2].median_s, 8e-6, 1e-15);        // fewer threads never take more's
  EXPECT_EQ(fail_impossible_bandwidth(rows, 0), 0);
}

TEST(Json, ThreadsUsedIsWrittenWhenKnown) {
  Row r = ok_row("cpu/elu/vectorized/f32", 4096, 1e-6);
  r.threads = 2;
  EXPECT_TRUE(row_to_json(r)["threads_used"].is_null());  // the variant did not say
  r.threads_used = 1;
  const auto j = row_to_json(r);
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["threads_used"], 1);
}

TEST(Json, RowShapesFollowTheSchema) {
  Row ok = ok_row("cpu/elu/naive/f32", 4096, 1e-6);
  std::vector<Row> rows{ok};
  derive_metrics(rows, 0);
  const auto j = row_to_json(rows[0]);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_TRUE(j["reason"].is_null());
  EXPECT_EQ(j["time_s"]["samples"].size(), 3u);
  EXPECT_TRUE(j["cache"].is_null());
  EXPECT_TRUE(j["pct_of_peak"].is_null());
  EXPECT_EQ(j["name"], "cpu/elu/naive/f32");
  EXPECT_EQ(j["description"], "scalar loop, libm (std::expm1, std::exp, std::erf)");  // the registry's, per row

  Row failed = ok;
  failed.status = Status::failed;
  failed.reason = "element 3: off by 9 ULP";
  failed.accuracy->max_ulp = INFINITY;
  const auto f = row_to_json(failed);
  EXPECT_TRUE(f["time_s"].is_null());  // a failed check reports no time, even if one existed
  EXPECT_EQ(f["reason"], "element 3: off by 9 ULP");
  EXPECT_EQ(f["accuracy"]["max_ulp"], "inf");  // JSON has no infinity
}

TEST(Files, AtomicWriteRefusesToOverwriteWithoutForce) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "r.json").string();
  EXPECT_NO_THROW(check_out_path(path, false));
  write_atomically(path, "first\n", false);
  EXPECT_EQ(slurp(path), "first\n");
  EXPECT_THROW(check_out_path(path, false), UsageError);
  EXPECT_NO_THROW(check_out_path(path, true));
  EXPECT_THROW(write_atomically(path, "second\n", false), std::runtime_error);
  EXPECT_EQ(slurp(path), "first\n");
  write_atomically(path, "third\n", true);
  EXPECT_EQ(slurp(path), "third\n");
  // No temporary file is left behind, whichever way the write ended.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);
  struct stat st{};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_THROW(check_out_path((dir / "missing" / "r.json").string(), false), UsageError);
  EXPECT_THROW(check_out_path(dir.string(), true), UsageError);  // a directory is not a file
  fs::remove_all(dir);
}

TEST(Files, DefaultPathNeverCollides) {
  const fs::path dir = temp_dir();
  const std::string a = default_out_path(dir.string(), "host", "20250101T000000Z");
  EXPECT_EQ(a, (dir / "host-20250101T000000Z.json").string());
  write_atomically(a, "{}\n", false);
  const std::string b = default_out_path(dir.string(), "host", "20250101T000000Z");
  EXPECT_EQ(b, (dir / "host-20250101T000000Z-2.json").string());
  fs::remove_all(dir);
}

TEST(Selection, CeilingsJoinAndBiasRowsGetCols) {
  Options o;
  o.devices = {Device::cpu};
  o.dtypes = {Dtype::f32};
  o.variants = {"naive"};
  o.activations = {Activation::elu};
  o.sizes = {1000, 4096};
  o.threads = {1};
  Platform p;
  p.cpu_llc_bytes = 32 * 1024;
  const auto rows = select_rows(o, p);
  bool copy = false, elu = false;
  for (const Row& r : rows) {
    copy |= r.variant->activation == Activation::copy;
    elu |= r.variant->name == "cpu/elu/naive/f32";
    EXPECT_EQ(r.variant->dtype, Dtype::f32);
    EXPECT_EQ(r.cache_resident, 2 * r.n * 4 <= p.cpu_llc_bytes) << r.label();
  }
  EXPECT_TRUE(copy) << "the copy ceiling must run with any selection";
  EXPECT_TRUE(elu);
  EXPECT_EQ(rows.size(), 8u);  // (elu naive, memcpy, vectorized copy, nontemporal copy) x 2 sizes

  EXPECT_EQ(bias_cols(1u << 20), 1024u);
  EXPECT_EQ(bias_cols(1000), 8u);
  EXPECT_EQ(bias_cols(7), 1u);
}

// The default suite is data: every name in it is a registry name (a typo would select nothing
// and go unnoticed), every part selects rows, ELU and ReLU come first, and every kernel row has
// its copy ceiling at its (dtype, n, threads).
TEST(Selection, DefaultSuiteNamesTheRegistryAndEveryRowHasItsCeiling) {
  std::set<std::string> activations, variants;
  for (const Variant& v : all_variants()) {
    activations.insert(std::string(to_string(v.activation)));
    variants.insert(v.variant);
  }
  for (const SuitePart& part : default_suite()) {
    for (auto a : part.activations) EXPECT_TRUE(activations.count(std::string(a))) << part.answers << ": " << a;
    for (auto v : part.variants) EXPECT_TRUE(variants.count(std::string(v))) << part.answers << ": " << v;
    const bool selects = std::any_of(all_variants().begin(), all_variants().end(),
                                     [&](const Variant& v) { return v.device == Device::cpu && part_selects(part, v); });
    EXPECT_TRUE(selects) << part.answers;
  }
  Options o;
  ASSERT_EQ(suite_of(o), "default");
  o.devices = {Device::cpu};
  Platform p;
  p.hardware_threads = 2;
  const auto rows = select_rows(o, p);
  std::set<std::tuple<Dtype, std::size_t, int>> ceilings;
  std::size_t others = 0;
  for (const Row& r : rows)
    if (r.variant->kind == Kind::ceiling) ceilings.insert({r.variant->dtype, r.n, *r.threads});
  for (const Row& r : rows) {
    if (r.variant->kind == Kind::ceiling) continue;
    EXPECT_TRUE(ceilings.count({r.variant->dtype, r.n, *r.threads})) << r.label() << " has no ceiling";
    const bool elu_or_relu = r.variant->activation == Activation::elu || r.variant->activation == Activation::relu;
    if (!elu_or_relu) ++others;
    else EXPECT_EQ(others, 0u) << r.label() << " comes after another activation's row";
  }
  EXPECT_GT(rows.size(), 100u);
  EXPECT_LT(rows.size(), 600u) << "the default suite answers in minutes, not hours";
  o.full = true;
  EXPECT_GT(select_rows(o, p).size(), 2000u) << "--full keeps everything";
}

// cache_resident counts what a row streams: a backward reads x (its saved tensor) and dy and
// writes dx, 3n elements, so it is not resident where only 2n fit.
TEST(Selection, CacheResidentCountsWhatABackwardRowStreams) {
  Options o;
  o.dtypes = {Dtype::f32};
  o.variants = {"vectorized"};
  o.activations = {Activation::elu, Activation::elu_backward};
  const std::size_t n = 1 << 16;
  o.sizes = {n};
  o.threads = {1};
  Platform p;
  p.cpu_llc_bytes = 5 * n * 4 / 2;  // 2n elements fit, 3n do not
  p.gpu_usable = true;              // (GPU rows where CUDA is built; nothing runs here)
  p.gpu.l2_bytes = 5 * n * 4 / 2;
  int backward = 0, forward = 0;
  for (const Row& r : select_rows(o, p)) {
    const bool bwd = r.variant->activation == Activation::elu_backward;
    (bwd ? backward : forward) += 1;
    EXPECT_EQ(r.cache_resident, !bwd) << r.label();
  }
  EXPECT_GE(backward, 1);
  EXPECT_GE(forward, 1);
}

TEST(Selection, GpuRowsWithoutAGpuAreSkippedWithTheReason) {
  Options o;
  o.sizes = {4096};
  o.threads = {1};
  Platform p;
  p.gpu_reason = "no usable GPU: test";
  const auto rows = select_rows(o, p);
  for (const Row& r : rows) {
    if (r.variant->device == Device::gpu) {
      EXPECT_EQ(r.status, Status::skipped);
      EXPECT_EQ(r.reason, "no usable GPU: test");
    } else {
      EXPECT_EQ(r.status, Status::pending);
    }
  }
}

TEST(Input, NeverZeroAndSignsFollowTheDistribution) {
  for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16}) {
    std::vector<unsigned char> buf(100000 * dtype_size(d));
    fill_input(buf.data(), 100000, d, Input::negative, 42);
    for (std::size_t i = 0; i < 100000; ++i) ASSERT_LT(load_as_float(buf.data(), i, d), 0.0f);
    fill_input(buf.data(), 100000, d, Input::positive, 42);
    for (std::size_t i = 0; i < 100000; ++i) ASSERT_GT(load_as_float(buf.data(), i, d), 0.0f);
    fill_input(buf.data(), 100000, d, Input::normal, 42);
    std::size_t neg = 0;
    for (std::size_t i = 0; i < 100000; ++i) {
      ASSERT_NE(load_as_float(buf.data(), i, d), 0.0f);
      neg += load_as_float(buf.data(), i, d) < 0;
    }
    EXPECT_GT(neg, 45000u);
    EXPECT_LT(neg, 55000u);
  }
}

TEST(Check, ParallelCheckAgreesWithTheSerialOne) {
  const Variant& v = named("cpu/elu/naive/f32");
  const std::size_t n = 1 << 16;
  std::vector<float> x(n), y(n);
  fill_input(x.data(), n, Dtype::f32, Input::normal, 7);
  RunArgs a;
  a.x = x.data();
  a.y = y.data();
  a.n = n;
  a.params = default_params(v.activation);
  v.run(a);
  y[40000] = 123.0f;  // one wrong element, in the second chunk
  const CheckResult s = check_against_reference(v, x.data(), y.data(), n, a.params);
  const CheckResult p = check_parallel(v, x.data(), y.data(), n, a.params, nullptr, 0, 4);
  EXPECT_FALSE(s.ok);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.checked, n);
  EXPECT_EQ(p.max_ulp, s.max_ulp);
  EXPECT_EQ(p.worst_index, s.worst_index);
  EXPECT_EQ(p.max_abs_error, s.max_abs_error);
}

// --param alpha=0.5,1,2: three rows per ELU cell, one per ReLU cell; each row's params say what
// its activation declares, and rows that differ only in alpha have different labels (journal, --resume).
TEST(Selection, AlphaListMultipliesOnlyTheRowsThatReadAlpha) {
  Options o;
  o.devices = {Device::cpu};
  o.dtypes = {Dtype::f32};
  o.variants = {"naive"};
  o.activations = {Activation::elu, Activation::relu};
  o.sizes = {4096};
  o.threads = {1};
  o.params = {{"alpha", {0.5f, 1.0f, 2.0f}}};
  const auto rows = select_rows(o, Platform{});
  std::vector<std::string> elu_labels;
  std::size_t relu = 0;
  for (const Row& r : rows) {
    const auto params = row_params_json(r);
    if (r.variant->activation == Activation::elu) {
      elu_labels.push_back(r.label());
      EXPECT_EQ(params, nlohmann::json({{"alpha", r.params[Elu::kAlpha]}}));
    } else {
      relu += r.variant->activation == Activation::relu;
      EXPECT_EQ(params, nlohmann::json::object()) << r.label();
    }
  }
  EXPECT_EQ(relu, 1u);
  EXPECT_EQ(elu_labels, (std::vector<std::string>{"cpu/elu/naive/f32 n=4096 threads=1 alpha=0.5",
                                                  "cpu/elu/naive/f32 n=4096 threads=1",
                                                  "cpu/elu/naive/f32 n=4096 threads=1 alpha=2"}));
}

TEST(Json, FloatParametersAreWrittenAsTyped) {
  EXPECT_EQ(json_float(0.1f), 0.1);
  EXPECT_EQ(json_float(0.01f), 0.01);
  Row r = ok_row("cpu/elu/naive/f32", 4096, 1e-6);
  r.params = test_support::with_alpha(0.1f);
  EXPECT_EQ(row_to_json(r)["params"], nlohmann::json({{"alpha", 0.1}}));
  EXPECT_FALSE(row_to_json(r).contains("alpha"));  // schema 5: params alone say what the row ran with
}

// results/document.cpp writes the whole document: every top-level block of the schema, from RunInfo.
TEST(Json, TheDocumentHasEveryBlock) {
  std::vector<Row> rows = {ok_row("cpu/copy/memcpy/f32", 4096, 1e-6), ok_row("cpu/elu/naive/f32", 4096, 2e-6)};
  const auto ceilings = derive_metrics(rows, 0);
  RunInfo info;
  info.created_utc = "2026-01-01T00:00:00Z";
  info.hostname = "host";
  info.cores = 2;
  info.options.params = {{"alpha", {0.5f, 1.0f}}, {"negative_slope", {0.2f}}};
  info.argv = {"elubench", "--alpha", "0.5,1"};
  const auto doc = make_document(info, ceilings, rows);
  EXPECT_EQ(doc["schema"], "elubench-results");
  EXPECT_EQ(doc["schema_version"], kSchemaVersion);
  for (const char* block : {"created", "tool", "host", "gpu", "build", "config", "ceilings", "results"})
    EXPECT_TRUE(doc.contains(block)) << block;
  EXPECT_TRUE(doc["gpu"].is_null());
  EXPECT_EQ(doc["host"]["cores"], 2);
  EXPECT_FALSE(doc["host"]["cpu_model"].get<std::string>().empty());
  EXPECT_EQ(doc["tool"]["name"], "elubench");
  EXPECT_TRUE(doc["build"]["peers"].is_object());
  // Every parameter the build declares, with the run's values or its default.
  EXPECT_EQ(doc["config"]["params"]["alpha"], nlohmann::json({0.5, 1.0}));
  EXPECT_EQ(doc["config"]["params"]["negative_slope"], nlohmann::json({0.2}));
  EXPECT_EQ(doc["config"]["params"].size(), all_param_specs().size());
  EXPECT_FALSE(doc["config"].contains("alpha"));
  EXPECT_EQ(doc["config"]["argv"], nlohmann::json(info.argv));
  EXPECT_EQ(doc["config"]["activations"], nlohmann::json({"copy", "elu"}));
  EXPECT_TRUE(doc["config"]["gpu_timing"].is_null());
  EXPECT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["results"][1]["params"], nlohmann::json({{"alpha", 1.0}}));
  EXPECT_EQ(doc["ceilings"].size(), 1u);
}

// The CPU rows share their buffers per (dtype, n) (SharedBuffers), so the rows of a cell add
// one input and one output whatever their number, a backward adds dy and (ELU, ReLU, SELU) the
// saved output, and the GPU holds one row's buffers at a time.
TEST(Footprint, SharedBuffersAreCountedOnce) {
  const std::size_t n = 1 << 20, f32 = 4 * n;
  auto pending = [&](const char* name) {
    Row r;
    r.variant = &named(name);
    r.n = n;
    r.threads = 1;
    return r;
  };
  std::vector<Row> rows = {pending("cpu/elu/naive/f32"), pending("cpu/elu/vectorized/f32"), pending("cpu/relu/vectorized/f32"),
                           pending("cpu/copy/memcpy/f32")};
  rows.push_back(rows[1]);
  rows.back().threads = 2;
  EXPECT_EQ(interleaved_footprint(rows).host, 2 * f32);  // one input, one output for five rows
  rows.push_back(pending("cpu/gelu_backward/vectorized/f32"));  // saves its input: x itself
  EXPECT_EQ(interleaved_footprint(rows).host, 3 * f32);          // + dy
  rows.push_back(pending("cpu/elu_backward/naive/f32"));
  rows.push_back(pending("cpu/elu_backward/vectorized/f32"));  // the same saved output as naive's
  EXPECT_EQ(interleaved_footprint(rows).host, 4 * f32);
  rows.back().params = test_support::with_alpha(0.5f);  // another alpha, another saved output
  EXPECT_EQ(interleaved_footprint(rows).host, 5 * f32);
  rows[0].status = Status::ok;  // finished rows hold nothing
  EXPECT_EQ(interleaved_footprint({rows[0]}).host, 0u);
  EXPECT_EQ(interleaved_footprint(rows).device, 0u);
}

// ---- One home per row: what row_to_json writes, row_from_json reads back ----------------------

namespace {
// Every field of a row set, to values that differ from a default Row's. The JSON layer does not
// ask whether a field makes sense for the device, so one CPU row carries the GPU fields too.
Row full_row() {
  Row r = ok_row("cpu/elu/fused_bias/f32", 8192, 2e-6);
  r.threads = 2;
  r.threads_used = 1;
  r.simd_target = "SSE4";  // a pinned row: read back, it runs SSE4's kernel again
  r.variant = &on_simd_target(*r.variant, "SSE4");
  r.cache = Cache::hot;
  r.input = Input::negative;
  r.params = test_support::with_alpha(0.5f);
  r.cols = bias_cols(r.n);
  r.bytes = bytes_moved(*r.variant, r.n, *r.cols);
  r.cache_resident = true;
  r.accuracy = AccuracyRecord{1.5, INFINITY, "<= 3 ULP", 8192};
  ClockSummary c;
  c.sm_min = 1900;
  c.sm_max = 1980;
  c.mem_min = c.mem_max = 2619;
  c.temperature_max_c = 61;
  c.power_max_w = 402.5;
  c.reasons = throttle_bits::sw_power_cap | (std::uint64_t{1} << 40);
  c.readings = 12;
  c.throttled = true;
  c.why = {"sw_power_cap"};
  r.gpu_timing = GpuRowTiming{StopReason::stdrel, 37, 0.004, 8, c, ""};
  return r;
}

// What a file holds of a row apart from the rates, which are derived again when it is written.
nlohmann::json measured(nlohmann::json j) {
  for (const char* rate : {"gbps", "elements_per_s", "pct_of_ceiling", "pct_of_peak"}) j.erase(rate);
  return j;
}
}  // namespace

TEST(RowJson, EveryFieldWrittenIsReadBack) {
  Row failed = full_row();
  failed.status = Status::failed;
  failed.time.reset();
  failed.reason = "element 3: off by 9 ULP";
  Row slope = ok_row("cpu/leaky_relu/naive/f32", 4096, 1e-6);
  slope.params.value[LeakyRelu::kSlope] = 0.2f;
  Row no_clocks = full_row();
  no_clocks.gpu_timing->clocks.reset();
  no_clocks.gpu_timing->clocks_reason = "NVML: not loaded";
  no_clocks.gpu_timing->relative_standard_error = INFINITY;  // one sample: written null
  for (const Row& r : {full_row(), failed, slope, no_clocks}) {
    const nlohmann::json j = measured(row_to_json(r));
    EXPECT_EQ(measured(row_to_json(row_from_json(j))), j) << r.label();
  }
  // "Every field set": a field added to the writer and not to full_row shows up here as null.
  const nlohmann::json full = measured(row_to_json(full_row()));
  for (const auto& field : full.items())
    if (field.key() != "reason") EXPECT_FALSE(field.value().is_null()) << field.key() << ": set it in full_row()";
}

TEST(RowJson, ReadingRefusesWhatItDoesNotKnow) {
  const nlohmann::json good = row_to_json(full_row());
  EXPECT_NO_THROW(row_from_json(good));
  const std::vector<std::pair<nlohmann::json, std::string>> bad = {
      {nlohmann::json{{"input", "sideways"}}, "unknown input 'sideways'"},
      {nlohmann::json{{"cache", "warm"}}, "unknown cache 'warm'"},
      {nlohmann::json{{"status", "done"}}, "unknown status 'done'"},
      {nlohmann::json{{"name", "cpu/elu/naive/f64"}}, "not a variant"},
      {nlohmann::json{{"device", "gpu"}}, "'device' is 'gpu'"},
      {nlohmann::json{{"n", "many"}}, "'n' has the wrong type"},
      {nlohmann::json{{"gpu_timing", {{"stop_reason", "whenever"}}}}, "unknown stop_reason 'whenever'"},
  };
  for (const auto& [patch, said] : bad) {
    nlohmann::json j = good;
    j.merge_patch(patch);
    try {
      row_from_json(j);
      ADD_FAILURE() << "read " << patch.dump();
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(said), std::string::npos) << e.what();
    }
  }
  nlohmann::json gremlins = good;
  gremlins["gpu_timing"]["clocks"]["throttle_reasons"] = {"sw_power_cap", "gremlins"};
  EXPECT_THROW(row_from_json(gremlins), UsageError);
  nlohmann::json no_input = good;
  no_input.erase("input");
  EXPECT_THROW(row_from_json(no_input), UsageError);
}

// The schema version is stated once in C++ (kSchemaVersion) and must be the newest that
// results/schema.json accepts.
TEST(RowJson, SchemaVersionIsTheNewestTheSchemaLists) {
  std::ifstream in(ELUBENCH_SCHEMA);
  ASSERT_TRUE(in) << ELUBENCH_SCHEMA;
  const auto schema = nlohmann::json::parse(in);
  const auto versions = schema.at("properties").at("schema_version").at("enum").get<std::vector<int>>();
  EXPECT_EQ(*std::max_element(versions.begin(), versions.end()), kSchemaVersion);
}
