// The elubench command line: every bad input is one line and exit 2, before any work; the
// size grammar; --list is the registry and nothing else.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fstream>

#include "cli/parse.hpp"
#include "cli/selectable.hpp"
#include "elubench/cpu.hpp"
#include "elubench/gpu.hpp"
#include "elubench/registry.hpp"

using namespace elubench;
using namespace elubench::bench;

namespace {

Options parse(std::vector<std::string> args) {
  args.insert(args.begin(), "elubench");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_args(static_cast<int>(argv.size()), argv.data());
}

struct Proc {
  int rc;
  std::string out, err;
};
// Runs the real binary; stderr goes to a temp file so stdout and stderr stay apart.
// env: "NAME=value ..." set for the binary alone.
Proc run_binary(const std::string& args, const std::string& env = "") {
  char errpath[] = "/tmp/eb_cli_err_XXXXXX";
  const int fd = mkstemp(errpath);
  EXPECT_GE(fd, 0);
  close(fd);
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + ELUBENCH_BIN + " " + args + " 2>" + errpath;
  Proc p{};
  FILE* f = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  std::size_t k;
  while ((k = fread(buf.data(), 1, buf.size(), f)) > 0) p.out.append(buf.data(), k);
  const int status = pclose(f);
  p.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FILE* e = fopen(errpath, "r");
  while ((k = fread(buf.data(), 1, buf.size(), e)) > 0) p.err.append(buf.data(), k);
  fclose(e);
  remove(errpath);
  return p;
}

}  // namespace

TEST(Sizes, ListsPowersAndRanges) {
  EXPECT_EQ(parse_sizes("1024"), (std::vector<std::size_t>{1024}));
  EXPECT_EQ(parse_sizes("2^20,1000"), (std::vector<std::size_t>{1000, 1u << 20}));
  EXPECT_EQ(parse_sizes("2^10:2^16:x4"), (std::vector<std::size_t>{1024, 4096, 16384, 65536}));
  // The end is included only when the factor lands on it.
  EXPECT_EQ(parse_sizes("2^10:5000:x2"), (std::vector<std::size_t>{1024, 2048, 4096}));
  EXPECT_EQ(parse_sizes("2^12,2^12"), (std::vector<std::size_t>{4096}));
}

TEST(Sizes, MalformedIsAUsageError) {
  for (const char* bad : {"", "2^", "abc", "0:10", "0", "2^10:2^8:x2", "2^10:2^20:x1", "2^10:2^20", "1,,2",
                          "-5", "2^99", "2^10:2^20:4", "1e6"})
    EXPECT_THROW(parse_sizes(bad), UsageError) << "'" << bad << "'";
}

TEST(Sizes, DefaultsFollowTheDesign) {
  const auto gpu = default_sizes(Device::gpu, false), cpu = default_sizes(Device::cpu, false);
  EXPECT_EQ(gpu.front(), 1u << 10);
  EXPECT_EQ(gpu.back(), 1u << 28);
  EXPECT_EQ(cpu.front(), 1u << 10);
  EXPECT_EQ(cpu.back(), 1u << 26);
  EXPECT_EQ(default_sizes(Device::cpu, true), (std::vector<std::size_t>{1u << 12, 1u << 16, 1u << 20}));
}

TEST(Args, UnknownNamesAndContradictions) {
  const std::vector<std::vector<std::string>> bad = {
      {"--variant", "no_such_variant"}, {"--dtype", "f64"},          {"--device", "tpu"},
      {"--activation", "swish"},         {"--input", "uniform"},      {"--cache", "lukewarm"},
      {"--threads", "0"},               {"--threads", "x"},          {"--repetitions", "9"},
      {"--alpha", "abc"},               {"--alpha", "-1"},           {"--gpu", "first"},
      {"--device", "cpu", "--cache", "hot"}, {"--device", "cpu", "--gpu", "0"},
      {"--device", "gpu", "--threads", "1"}, {"--quick", "--sizes", "2^10"},
      {"--quick", "--repetitions", "20"},    {"--list", "--out", "x.json"},
      {"--force"},                      {"--out"},                   {"--sizes", "2^"},
      {"--quick", "--quick"},           {"--frobnicate"},            {"--help=yes"},
      {"--variant", "memcpy", "--activation", "elu"},
      {"--layer-shapes", "64x1024"},    {"--layer-shapes", "0x1x1"},  {"--layers", "--sizes", "2^10"},
      {"--layers=yes"},                  {"--quick", "--layer-shapes", "1x2x3"}};
  for (const auto& args : bad) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_THROW(parse(args), UsageError) << joined;
  }
}

TEST(Args, GoodSelectionsParse) {
  const Options o = parse({"--device=cpu", "--variant", "naive,memcpy", "--dtype", "f32,bf16", "--sizes", "2^10:2^14:x4",
                           "--threads", "1,all", "--alpha", "0.5", "--input", "negative", "--benchmark_min_time=0.01"});
  EXPECT_EQ(o.devices, (std::vector<Device>{Device::cpu}));
  EXPECT_EQ(o.variants, (std::vector<std::string>{"naive", "memcpy"}));
  EXPECT_EQ(o.sizes, (std::vector<std::size_t>{1024, 4096, 16384}));
  EXPECT_EQ(param_values(o, Elu::params[0]), (std::vector<float>{0.5f}));
  EXPECT_EQ(o.input, Input::negative);
  EXPECT_EQ(o.benchmark_args, (std::vector<std::string>{"--benchmark_min_time=0.01"}));
  EXPECT_EQ(resolve_threads(o, 8), (std::vector<int>{1, 8}));
  EXPECT_EQ(resolve_threads(o, 1), (std::vector<int>{1}));  // "1,all" on one core is one row
}

TEST(Args, LayerShapesAreAListAndImplyLayers) {
  const Options o = parse({"--layer-shapes", "1x1024x4096,64X288x32"});
  EXPECT_TRUE(o.layers);
  EXPECT_EQ(o.layer_shapes, (std::vector<LayerShape>{{1, 1024, 4096}, {64, 288, 32}}));
  EXPECT_TRUE(parse({"--layers"}).layers);
  EXPECT_TRUE(parse({"--layers"}).layer_shapes.empty());  // the device's default suite
  EXPECT_FALSE(parse({}).layers);
  try {
    parse({"--layer-shapes", "1x2x3,4x5"});
    ADD_FAILURE() << "accepted 4x5";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--layer-shapes: not a layer shape: '4x5'"), std::string::npos) << e.what();
  }
}

TEST(Binary, BadInputIsOneLineAndExitTwo) {
  for (const char* args : {"--variant nope", "--dtype f64", "--device tpu", "--sizes 2^", "--sizes abc",
                           "--sizes 0:10", "--device cpu --cache hot", "--benchmark_nonsense=1", "--param gamma=1",
                           "--alpha -1", "--activation relu --alpha 0.5", "--layer-shapes 1x2", "--layers --sizes 1024"}) {
    const Proc p = run_binary(args);
    EXPECT_EQ(p.rc, 2) << args;
    EXPECT_TRUE(p.out.empty()) << args << ": " << p.out;
    ASSERT_FALSE(p.err.empty()) << args;
    EXPECT_EQ(p.err.rfind("elubench: ", 0), 0u) << p.err;
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << args << ": " << p.err;
  }
}

TEST(Binary, ListIsTheRegistry) {
  const Proc p = run_binary("--list");
  ASSERT_EQ(p.rc, 0);
  std::string want;
  for (const Variant& v : all_variants()) want += v.name + "\n";
  EXPECT_EQ(p.out, want);
  EXPECT_TRUE(p.err.empty()) << p.err;
  const Proc layers = run_binary("--layers --list");
  ASSERT_EQ(layers.rc, 0);
  std::string want_layers;
  for (const Variant& v : layer_variants()) want_layers += v.name + "\n";
  EXPECT_EQ(layers.out, want_layers);
}

// One table makes both the usage text and the parser: every flag is in --help, and every
// flag's documented syntax parses.
TEST(FlagTable, UsageListsEveryFlagAndEveryFlagParses) {
  const std::string text = usage();
  for (const Flag& f : flags()) {
    EXPECT_NE(text.find("  " + std::string(f.name) + (f.syntax.empty() ? "" : " " + std::string(f.syntax))), std::string::npos)
        << f.name;
  }
  EXPECT_TRUE(parse({"-h"}).help);
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"--quick"}).quick);
  EXPECT_EQ(parse({"--out=x.json", "--force"}).out, "x.json");
}

// --param NAME=V[,V...] for any parameter an activation declares; --alpha and --negative-slope
// are its aliases. Values are lists (duplicates once); a parameter not named runs at its default.
TEST(Args, ParamsAreNamedLists) {
  EXPECT_TRUE(parse({}).params.empty());
  EXPECT_EQ(param_values(parse({}), Elu::params[0]), (std::vector<float>{1.0f}));
  const Options a = parse({"--alpha", "0.5,1,2,1"});
  ASSERT_EQ(a.params.size(), 1u);
  EXPECT_EQ(a.params[0].name, "alpha");
  EXPECT_EQ(a.params[0].values, (std::vector<float>{0.5f, 1.0f, 2.0f}));
  const Options b = parse({"--param", "alpha=2", "--param=negative_slope=0.2,0"});
  EXPECT_EQ(param_values(b, Elu::params[0]), (std::vector<float>{2.0f}));
  EXPECT_EQ(param_values(b, LeakyRelu::params[0]), (std::vector<float>{0.2f, 0.0f}));
  EXPECT_EQ(param_values(parse({"--negative-slope=0.2"}), LeakyRelu::params[0]), (std::vector<float>{0.2f}));
}

// Bad parameters: one line that names the problem, before any work.
TEST(Args, BadParamsAreRefusedWithOneLine) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--param", "alpha"}, "is not NAME=V"},
      {{"--param", "=1"}, "is not NAME=V"},
      {{"--param", "gamma=1"}, "unknown parameter 'gamma'"},
      {{"--param", "alpha=-1"}, "outside elu's range"},
      {{"--alpha", "1,-1"}, "outside elu's range"},
      {{"--alpha", "0.5", "--param", "alpha=1"}, "given twice"},
      {{"--param", "alpha=1", "--param", "alpha=2"}, "given twice"},
      {{"--activation", "relu,gelu", "--param", "alpha=0.5"}, "belongs to elu, which the selection does not run"},
      {{"--variant", "memcpy", "--alpha", "0.5"}, "belongs to elu"},
      {{"--alpha", "0.5,,1"}, "empty item"},
      {{"--alpha", "1,x"}, "not a finite number"},
      {{"--alpha", ""}, "empty item"},
      {{"--negative-slope", "nan"}, "not a finite number"},
      {{"--param", "negative_slope=inf"}, "not a finite number"},
  };
  for (const auto& [args, says] : cases) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    try {
      parse(args);
      ADD_FAILURE() << joined << "parsed";
    } catch (const UsageError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(says), std::string::npos) << joined << "-> " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

// --help lists every declared parameter with its default and range, from the traits.
TEST(Args, UsageListsEveryParameter) {
  const std::string u = usage();
  for (const ParamSpec& p : all_param_specs()) EXPECT_NE(u.find(std::string(" ") + p.name + "="), std::string::npos) << p.name;
  EXPECT_NE(u.find("elu alpha=1  [0, 1e+06]"), std::string::npos) << u;
}

TEST(Args, WithoutFlagsDropsBothSpellingsAndTheirValues) {
  const std::vector<std::string> argv = {"elubench", "--gpu", "all", "--sizes", "2^10", "--out=r.json", "--quick",
                                         "--benchmark_out=gb.json", "--threads", "1"};
  EXPECT_EQ(without_flags(argv, {"--gpu", "--out"}),
            (std::vector<std::string>{"elubench", "--sizes", "2^10", "--quick", "--benchmark_out=gb.json", "--threads", "1"}));
  EXPECT_EQ(without_flags(argv, {"--threads", "--quick"}),
            (std::vector<std::string>{"elubench", "--gpu", "all", "--sizes", "2^10", "--out=r.json", "--benchmark_out=gb.json"}));
}

// No GPU (or no CUDA): --gpu all has nothing to run on, and says so before any work.
TEST(Binary, GpuAllWithoutAGpuIsOneLineAndExitTwo) {
  std::string reason;
  if (gpu::device_count(&reason) > 0) GTEST_SKIP() << "a GPU is present: --gpu all would run";
  char dir[] = "/tmp/eb_gpu_all_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const Proc p = run_binary(std::string("--gpu all --sizes 2^10 --out ") + dir + "/r.json");
  EXPECT_EQ(p.rc, 2);
  EXPECT_EQ(p.err.rfind("elubench: --gpu all: ", 0), 0u) << p.err;
  EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << p.err;
  EXPECT_NE(::rmdir(dir), -1) << "the refused run left a file behind";
}

// ---- --simd: the SIMD target as an axis ----------------------------------------------------

TEST(Simd, NamesInAnyCaseAllAndBestKeptBestFirst) {
  const std::vector<std::string> have = cpu::simd_targets();
  EXPECT_EQ(parse({"--simd", "best"}).simd_targets, std::vector<std::string>{cpu::simd_target()});
  EXPECT_EQ(parse({"--simd", "all"}).simd_targets, have);
  EXPECT_TRUE(parse({}).simd_targets.empty());
  ASSERT_GE(have.size(), 2u) << "every x86-64 build has SSE4 and a better or worse target beside it";
  std::string second = have[1];
  std::transform(second.begin(), second.end(), second.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(parse({"--simd", second + "," + have[0] + "," + have[0]}).simd_targets,
            (std::vector<std::string>{have[0], have[1]}));
  try {
    parse({"--simd", "avx9"});
    FAIL() << "an unknown target parsed";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown SIMD target 'avx9'"), std::string::npos) << e.what();
  }
}

// A pinned row runs the target's own kernel, and says so in its description.
TEST(Simd, OnATargetIsThatTargetsKernel) {
  const Variant* v = find_selectable("cpu/elu/vectorized/f32");
  ASSERT_NE(v, nullptr);
  const Variant& sse4 = on_simd_target(*v, "SSE4");
  EXPECT_EQ(sse4.kernel, cpu::kernel_for_target(*v, "SSE4"));
  EXPECT_EQ(&on_simd_target(*v, "SSE4"), &sse4) << "one pinned copy per (variant, target)";
  EXPECT_NE(sse4.description.find(" on SSE4"), std::string::npos) << sse4.description;
  if (cpu::simd_target() != "SSE4") EXPECT_NE(sse4.kernel, v->kernel);
  EXPECT_EQ(&on_simd_target(*v, cpu::simd_target()), v);
  const Variant* naive = find_selectable("cpu/elu/naive/f32");
  EXPECT_EQ(&on_simd_target(*naive, "SSE4"), naive) << "naive has one kernel for every target";
}

TEST(Binary, SimdTargetUnknownOrMissingIsOneLineAndExitTwo) {
  const std::pair<std::string, std::string> cases[] = {
      {"--simd avx9", "unknown SIMD target 'avx9'"},
      {"--simd avx2", "has no AVX2"},  // capped at SSE4 below: AVX2 is a target this process lacks
      {"--device gpu --simd sse4", "--simd applies to CPU rows"},
  };
  for (const auto& [args, says] : cases) {
    const Proc p = run_binary(args + " --sizes 2^10", "ELUBENCH_SIMD_TARGET=SSE4");
    EXPECT_EQ(p.rc, 2) << args;
    EXPECT_TRUE(p.out.empty()) << args << ": " << p.out;
    EXPECT_EQ(p.err.rfind("elubench: ", 0), 0u) << p.err;
    EXPECT_NE(p.err.find(says), std::string::npos) << args << ": " << p.err;
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << args << ": " << p.err;
  }
}

// Two targets, one run: each SIMD row once per target, recorded as such, each passing the reference
// check; the peers and ceilings once, without a target.
TEST(Binary, SimdRunsEachRowOnEachTarget) {
  const std::string best = cpu::simd_target();
  ASSERT_NE(best, "SSE4") << "this test needs a CPU with a target above SSE4";
  char dir[] = "/tmp/eb_simd_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string out = std::string(dir) + "/r.json";
  const Proc p = run_binary("--device cpu --activation elu --variant vectorized,naive --dtype f32 --sizes 4096 "
                            "--threads 1 --simd sse4,best --benchmark_min_time=0.0005 --out " + out);
  ASSERT_EQ(p.rc, 0) << p.err;
  const nlohmann::json doc = nlohmann::json::parse(std::ifstream(out));
  std::vector<std::string> vectorized_targets;
  for (const auto& r : doc["results"]) {
    if (r["kind"] == "ceiling" || r["variant"] == "naive") {
      EXPECT_TRUE(r["simd_target"].is_null()) << r["name"];
      continue;
    }
    vectorized_targets.push_back(r["simd_target"]);
    EXPECT_EQ(r["status"], "ok") << r["simd_target"] << ": " << r["reason"];
    EXPECT_LE(r["accuracy"]["max_ulp"].get<double>(), 2.0) << r["simd_target"];
    EXPECT_NE(r["description"].get<std::string>().find(" on " + r["simd_target"].get<std::string>()), std::string::npos);
  }
  EXPECT_EQ(vectorized_targets, (std::vector<std::string>{best, "SSE4"}));
  EXPECT_EQ(doc["config"]["simd_targets"], (std::vector<std::string>{best, "SSE4"}));
  std::remove(out.c_str());
  ::rmdir(dir);
}
