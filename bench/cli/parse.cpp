#include "cli/parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "cli/selectable.hpp"
#include "elubench/cpu.hpp"
#include "elubench/layer.hpp"

namespace elubench::bench {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

// A non-empty list of non-empty items: "a,,b" and "" are typos, not selections.
std::vector<std::string> split_list(const std::string& flag, const std::string& value) {
  auto items = split(value, ',');
  for (const auto& it : items)
    if (it.empty()) throw UsageError(flag + ": empty item in list '" + value + "'");
  return items;
}

std::optional<unsigned long long> parse_uint(std::string_view s) {
  unsigned long long v = 0;
  if (s.empty()) return std::nullopt;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One size: decimal or 2^K.
std::size_t parse_one_size(const std::string& item, const std::string& spec) {
  auto bad = [&](const std::string& why) {
    return UsageError("--sizes: '" + item + "' in '" + spec + "' " + why +
                      " (expected N, 2^K, a comma list, or START:END:xFACTOR)");
  };
  std::optional<unsigned long long> v;
  if (item.rfind("2^", 0) == 0) {
    const auto k = parse_uint(std::string_view(item).substr(2));
    if (!k) throw bad("is not a size");
    if (*k > 40) throw bad("is too large");
    v = 1ull << *k;
  } else {
    v = parse_uint(item);
    if (!v) throw bad("is not a size");
  }
  if (*v == 0) throw bad("is zero; sizes start at 1");
  if (*v > (1ull << 40)) throw bad("is too large");
  return static_cast<std::size_t>(*v);
}

double parse_positive(const std::string& flag, const std::string& s, double lo, double hi) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size() || !(v >= lo && v <= hi))
    throw UsageError(flag + ": '" + s + "' is not a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

}  // namespace

std::vector<std::size_t> parse_sizes(const std::string& spec) {
  if (spec.empty()) throw UsageError("--sizes: empty list");
  std::vector<std::size_t> out;
  for (const auto& item : split_list("--sizes", spec)) {
    if (item.find(':') == std::string::npos) {
      out.push_back(parse_one_size(item, spec));
      continue;
    }
    const auto parts = split(item, ':');
    if (parts.size() != 3 || parts[2].size() < 2 || parts[2][0] != 'x')
      throw UsageError("--sizes: range '" + item + "' must be START:END:xFACTOR, e.g. 2^10:2^28:x4");
    const std::size_t lo = parse_one_size(parts[0], spec), hi = parse_one_size(parts[1], spec);
    const auto f = parse_uint(std::string_view(parts[2]).substr(1));
    if (!f || *f < 2) throw UsageError("--sizes: range '" + item + "' needs a factor of at least x2");
    if (lo > hi) throw UsageError("--sizes: range '" + item + "' starts above its end");
    for (std::size_t s = lo; s <= hi; s *= *f) {
      out.push_back(s);
      if (s > std::numeric_limits<std::size_t>::max() / *f) break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::size_t> default_sizes(Device d, bool quick) {
  if (quick) return {1u << 12, 1u << 16, 1u << 20};
  return parse_sizes(d == Device::gpu ? "2^10:2^28:x4" : "2^10:2^26:x4");
}

std::vector<int> resolve_threads(const Options& o, int hardware_threads) {
  std::vector<int> in = o.threads.empty() ? std::vector<int>{1, 0} : o.threads;
  std::vector<int> out;
  for (int t : in) {
    const int r = t == 0 ? std::max(1, hardware_threads) : t;
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

// ---- The flag table: each flag's parsing, then the table itself ---------------------------

namespace {

void apply_devices(const std::string& value, Options& o) {
  for (const auto& d : split_list("--device", value)) {
    if (d == "all") {
      o.devices = {Device::cpu, Device::gpu};
    } else if (const auto dev = parse_device(d)) {
      if (std::find(o.devices.begin(), o.devices.end(), *dev) == o.devices.end()) o.devices.push_back(*dev);
    } else {
      throw UsageError("--device: unknown device '" + d + "' (cpu, gpu or all)");
    }
  }
}

// The activations this build knows, for the error message: read from the registry, not listed here.
std::string known_activations() {
  std::set<std::string> names;
  for (const Variant& v : selectable_variants()) names.insert(std::string(to_string(v.activation)));
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

void apply_activations(const std::string& value, Options& o) {
  for (const auto& a : split_list("--activation", value)) {
    const auto act = parse_activation(a);
    if (!act) throw UsageError("--activation: unknown activation '" + a + "' (" + known_activations() + ")");
    o.activations.push_back(*act);
  }
}

void apply_variants(const std::string& value, Options& o) {
  const auto reg = selectable_variants();
  for (const auto& v : split_list("--variant", value)) {
    const bool known = std::any_of(reg.begin(), reg.end(), [&](const Variant& r) { return r.variant == v; });
    if (!known) throw UsageError("--variant: no registered variant is called '" + v + "' (see --list)");
    o.variants.push_back(v);
  }
}

void apply_dtypes(const std::string& value, Options& o) {
  for (const auto& d : split_list("--dtype", value)) {
    const auto t = parse_dtype(d);
    if (!t) throw UsageError("--dtype: unknown dtype '" + d + "' (f32, f16, bf16)");
    o.dtypes.push_back(*t);
  }
}

// A finite float in [lo, hi], the whole string.
float parse_float(const std::string& flag, const std::string& s, float lo, float hi, const char* what) {
  std::size_t used = 0;
  float a = 0;
  try {
    a = std::stof(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || s.empty() || !(a >= lo && a <= hi)) throw UsageError(flag + ": '" + s + "' is not " + what);
  return a;
}

void apply_layer_shapes(const std::string& value, Options& o) {
  try {
    o.layer_shapes = parse_layer_shapes(value);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--layer-shapes: ") + e.what());
  }
  o.layers = true;
}

// The activations that declare a parameter called `name` ("elu" for alpha), for messages.
std::vector<Activation> declaring(std::string_view name) {
  std::vector<Activation> out;
  for (Activation a : all_activations())
    if (!is_backward(a))
      for (const ParamSpec& s : param_specs(a))
        if (name == s.name) out.push_back(a);
  return out;
}

std::string param_names() {
  std::string s;
  for (const ParamSpec& p : all_param_specs()) (s += s.empty() ? "" : ", ") += p.name;
  return s;
}

// The shortest decimal that reads back as v (for ranges in messages and the usage text).
std::string short_float(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// One value of `name`, inside the range of every activation that declares it; `flag` says
// where it was given ("--param alpha", "--alpha").
float parse_param_value(const std::string& flag, const std::string& name, const std::string& item) {
  const float v = parse_float(flag, item, -std::numeric_limits<float>::max(), std::numeric_limits<float>::max(),
                              "a finite number");
  for (Activation a : declaring(name))
    for (const ParamSpec& s : param_specs(a))
      if (name == s.name && !(v >= s.min && v <= s.max))
        throw UsageError(flag + ": " + item + " is outside " + std::string(to_string(a)) + "'s range [" +
                         short_float(s.min) + ", " + short_float(s.max) + "] (" + s.meaning + ")");
  return v;
}

// NAME's values from a list "V[,V...]"; `how` is how the user spelled it, for messages.
void add_param(const std::string& name, const std::string& list, const std::string& how, Options& o) {
  if (declaring(name).empty()) throw UsageError(how + ": unknown parameter '" + name + "' (" + param_names() + ")");
  for (const ParamValues& p : o.params)
    if (p.name == name) throw UsageError(how + ": parameter " + name + " given twice");
  ParamValues p{name, {}};
  for (const auto& item : split_list(how, list)) {
    const float v = parse_param_value(how == "--param" ? how + " " + name : how, name, item);
    if (std::find(p.values.begin(), p.values.end(), v) == p.values.end()) p.values.push_back(v);
  }
  o.params.push_back(std::move(p));
}

// --param NAME=V[,V...]; several parameters are several --param flags.
void apply_param(const std::string& value, Options& o) {
  const auto eq = value.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--param: '" + value + "' is not NAME=V[,V...] (parameters: " + param_names() + ")");
  add_param(value.substr(0, eq), value.substr(eq + 1), "--param", o);
}

void apply_input(const std::string& s, Options& o) {
  const auto input = parse_input(s);
  if (!input) throw UsageError("--input: unknown distribution '" + s + "' (normal, negative, positive)");
  o.input = *input;
}

void apply_cache(const std::string& s, Options& o) {
  const auto cache = parse_cache(s);
  if (!cache) throw UsageError("--cache: unknown mode '" + s + "' (cold, hot)");
  o.cache = *cache;
}

void apply_threads(const std::string& value, Options& o) {
  for (const auto& t : split_list("--threads", value)) {
    if (t == "all") {
      o.threads.push_back(0);
      continue;
    }
    const auto v = parse_uint(t);
    if (!v || *v < 1 || *v > 4096) throw UsageError("--threads: '" + t + "' is not a thread count (1..4096 or all)");
    o.threads.push_back(static_cast<int>(*v));
  }
}

// --simd: Highway's target names in any case, `all` (every target this build and CPU have) or `best`
// (the one the dispatch picks); kept best first, each once.
void apply_simd(const std::string& value, Options& o) {
  const std::vector<std::string> have = cpu::simd_targets();
  std::string listed;
  for (const auto& t : have) listed += (listed.empty() ? "" : ", ") + t;
  std::vector<std::string> want;
  for (const auto& item : split_list("--simd", value)) {
    std::string name = item;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    if (name == "ALL") want.insert(want.end(), have.begin(), have.end());
    else if (name == "BEST") want.push_back(cpu::simd_target());
    else if (std::find(have.begin(), have.end(), name) != have.end()) want.push_back(name);
    else if (cpu::is_simd_target_name(name))
      throw UsageError("--simd: this CPU (or this build, or ELUBENCH_SIMD_TARGET) has no " + name + " (it has " + listed + ")");
    else
      throw UsageError("--simd: unknown SIMD target '" + item + "' (Highway's names; here: " + listed + ", all, best)");
  }
  o.simd_targets.clear();
  for (const auto& t : have)
    if (std::find(want.begin(), want.end(), t) != want.end()) o.simd_targets.push_back(t);
}

// A whole number in [lo, hi]; `what` completes "'V' must be ...".
int parse_count(const std::string& flag, const std::string& s, unsigned long long lo, unsigned long long hi,
                const std::string& what) {
  const auto v = parse_uint(s);
  if (!v || *v < lo || *v > hi) throw UsageError(flag + ": '" + s + "' must be " + what);
  return static_cast<int>(*v);
}

void apply_gpu(const std::string& s, Options& o) {
  if (s == "all") {
    o.gpu = -1;
    return;
  }
  const auto v = parse_uint(s);
  if (!v || *v > 1024) throw UsageError("--gpu: '" + s + "' is not a GPU ordinal or 'all'");
  o.gpu = static_cast<int>(*v);
}

void apply_file(const std::string& flag, const std::string& value, std::string& dst) {
  if (value.empty()) throw UsageError(flag + ": empty file name");
  dst = value;
}

// Captureless lambdas: the table is data, each row saying in one place what its flag does.
const Flag kFlags[] = {
    {"--device", "cpu|gpu|all", "devices to run (default all: GPU rows are 'skipped' when no GPU)", apply_devices},
    {"--activation", "LIST", "e.g. elu,relu (copy ceilings always run)", apply_activations},
    {"--variant", "LIST", "e.g. naive,vectorized (third part of a name in --list)", apply_variants},
    {"--dtype", "LIST", "f32,f16,bf16", apply_dtypes},
    {"--sizes", "SPEC", "1024,2^20 or 2^10:2^28:x4 (with --full or a selection: GPU 2^10..2^28,\nCPU 2^10..2^26, x4; the default suite has its own)",
     [](const std::string& v, Options& o) { o.sizes = parse_sizes(v); }},
    {"--layers", "", "time layer rows, y = act(x.w + bias), instead of elementwise rows\n(default: docs/layers.md's shapes, f32, all cores)",
     [](const std::string&, Options& o) { o.layers = true; }},
    {"--layer-shapes", "LIST", "MxKxN[,MxKxN...] e.g. 64x1024x4096 (implies --layers)", apply_layer_shapes},
    {"--param", "NAME=V[,V...]",
     "an activation parameter's values (repeat for several parameters): one row\nper value for the variants whose activation declares it (listed below)",
     apply_param, {}, true},
    {"--alpha", "A[,B,...]", "--param alpha=A[,B,...]: ELU's alpha (default 1)",
     [](const std::string& v, Options& o) { add_param("alpha", v, "--alpha", o); }},
    {"--negative-slope", "S[,T,...]", "--param negative_slope=S[,T,...]: Leaky ReLU's slope (default 0.01)",
     [](const std::string& v, Options& o) { add_param("negative_slope", v, "--negative-slope", o); }},
    {"--input", "normal|negative|positive", "input distribution (default normal)", apply_input},
    {"--cache", "cold|hot", "GPU: flush L2 before each sample, or back-to-back launches", apply_cache},
    {"--threads", "LIST", "CPU worker threads, numbers or 'all' (default 1,all; the default suite\nsets them per part, which this replaces)", apply_threads},
    {"--simd", "LIST",
     "CPU: run our SIMD rows on each of these Highway targets, e.g. avx2,avx3,\nor all, best (default: the one the dispatch picks)",
     apply_simd},
    {"--repetitions", "N", "CPU: samples per result, at least 10 (default 10)",
     [](const std::string& v, Options& o) { o.repetitions = parse_count("--repetitions", v, 10, 100000, "a whole number >= 10"); }},
    {"--gpu-stdrel", "PCT",
     "GPU: sample each row until the relative standard error of the mean\nis below PCT percent (default 0.5), nvbench's stdrel criterion...",
     [](const std::string& v, Options& o) { o.gpu_stdrel_pct = parse_positive("--gpu-stdrel", v, 1e-4, 100); }},
    {"--gpu-min-samples", "N", "...after at least N samples (default 10)...",
     [](const std::string& v, Options& o) {
       o.gpu_min_samples = parse_count("--gpu-min-samples", v, 2, 10'000'000, "a whole number >= 2");
     }},
    {"--gpu-max-samples", "N", "...and at most N samples (default 10000)...",
     [](const std::string& v, Options& o) {
       o.gpu_max_samples = parse_count("--gpu-max-samples", v, 2, 10'000'000, "a whole number >= 2");
     }},
    {"--gpu-max-time", "S", "...and S seconds of sampling per row (default 0.5; --quick 0.05)",
     [](const std::string& v, Options& o) { o.gpu_max_time_s = parse_positive("--gpu-max-time", v, 1e-4, 3600); }},
    {"--gpu", "N|all",
     "which GPU (default 0); all: with several GPUs one run per GPU, each written\nnext to --out as OUT-gpuN-MODEL.json (CPU rows in the first GPU's file only)",
     apply_gpu},
    {"--out", "FILE", "results file (default results/<hostname>-<UTC time>.json)",
     [](const std::string& v, Options& o) { apply_file("--out", v, o.out); }},
    {"--force", "", "overwrite an existing --out file", [](const std::string&, Options& o) { o.force = true; }},
    {"--list", "", "print the registry, one name a line, and exit (with --layers: the layer rows)", [](const std::string&, Options& o) { o.list = true; }},
    {"--resume", "FILE",
     "complete an interrupted run: FILE is its results file (rows marked\ninterrupted) or its OUT.journal; runs only the rows not finished",
     [](const std::string& v, Options& o) { apply_file("--resume", v, o.resume); }},
    {"--quick", "", "CI smoke: sizes 2^12,2^16,2^20, f32 + f16, short samples\n(with --layers: each default layer at its smallest M, f32)",
     [](const std::string&, Options& o) { o.quick = true; }},
    {"--full", "", "every registered variant, dtype, default size and thread count (hours),\ninstead of the default suite",
     [](const std::string&, Options& o) { o.full = true; }},
    {"--help", "", "this text", [](const std::string&, Options& o) { o.help = true; }, "-h"},
};

const Flag* find_flag(const std::string& name) {
  for (const Flag& f : kFlags)
    if (f.name == name || (!f.alias.empty() && f.alias == name)) return &f;
  return nullptr;
}

// What argv gives, by flag, before any value is interpreted: unknown flags, repeated flags,
// a missing value or a value given to a switch are refused here.
using Given = std::map<std::string_view, std::vector<std::string>>;
Given collect_flags(int argc, const char* const* argv, std::vector<std::string>& benchmark_args) {
  Given given;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--benchmark_", 0) == 0) {
      benchmark_args.push_back(arg);
      continue;
    }
    const auto eq = arg.rfind("--", 0) == 0 ? arg.find('=') : std::string::npos;
    const std::string name = arg.substr(0, eq);
    const Flag* f = find_flag(name);
    if (!f) throw UsageError("unknown argument '" + arg + "' (see --help)");
    std::string value;
    if (eq != std::string::npos) {
      if (f->syntax.empty()) throw UsageError(name + " takes no value");
      value = arg.substr(eq + 1);
    } else if (!f->syntax.empty()) {
      if (i + 1 >= argc) throw UsageError(name + " needs a value");
      value = argv[++i];
    }
    auto& values = given[f->name];
    if (!values.empty() && !f->repeatable) throw UsageError(std::string(f->name) + " given twice");
    values.push_back(value);
  }
  return given;
}

// Contradictions: a flag that cannot apply to what was asked for is a mistake worth naming.
void check_contradictions(const Given& given, const Options& o) {
  auto has = [&](std::string_view f) { return given.count(f) > 0; };
  const bool cpu_only = o.devices.size() == 1 && o.devices[0] == Device::cpu;
  const bool gpu_only = o.devices.size() == 1 && o.devices[0] == Device::gpu;
  for (const char* f : {"--cache", "--gpu", "--gpu-stdrel", "--gpu-min-samples", "--gpu-max-samples", "--gpu-max-time"})
    if (cpu_only && has(f)) throw UsageError(std::string(f) + " applies to GPU rows but --device is cpu");
  if (gpu_only && has("--threads")) throw UsageError("--threads applies to CPU rows but --device is gpu");
  if (gpu_only && has("--simd")) throw UsageError("--simd applies to CPU rows but --device is gpu");
  if (o.gpu_min_samples && o.gpu_max_samples && *o.gpu_min_samples > *o.gpu_max_samples)
    throw UsageError("--gpu-min-samples is larger than --gpu-max-samples");
  if (o.layers && has("--sizes")) throw UsageError("--sizes applies to elementwise rows; layer rows take --layer-shapes");
  if (o.quick && has("--layer-shapes")) throw UsageError("--quick fixes the layer shapes: drop --layer-shapes or --quick");
  if (o.quick && has("--sizes")) throw UsageError("--quick fixes the sizes: drop --sizes or --quick");
  if (o.quick && has("--repetitions")) throw UsageError("--quick fixes the repetitions: drop --repetitions or --quick");
  if (o.quick && o.full) throw UsageError("--quick and --full ask for opposite suites: drop one");
  if (o.list && (has("--out") || has("--force")))
    throw UsageError("--list prints the registry and writes no results: drop --out/--force");
  if (o.force && !has("--out")) throw UsageError("--force needs --out (the default path never collides)");
}

// Whether the --activation and --variant filters select v.
bool selected(const Options& o, const Variant& v) {
  const bool act = o.activations.empty() ||
                   std::find(o.activations.begin(), o.activations.end(), v.activation) != o.activations.end();
  const bool var = o.variants.empty() || std::find(o.variants.begin(), o.variants.end(), v.variant) != o.variants.end();
  return act && var;
}

// A selection that names things which never meet (e.g. --variant memcpy --activation elu)
// would run only the ceilings: say so instead.
void check_selection_meets(const Options& o) {
  const auto reg = selectable_variants();
  if (std::none_of(reg.begin(), reg.end(), [&](const Variant& v) { return selected(o, v); }))
    throw UsageError("--activation and --variant select no registered variant together (see --list)");
}

// A parameter that no selected variant reads would change nothing: a mistake worth naming.
void check_params_read(const Options& o) {
  const auto reg = selectable_variants();
  for (const ParamValues& p : o.params) {
    const bool read = std::any_of(reg.begin(), reg.end(), [&](const Variant& v) {
      const auto specs = v.params();
      return selected(o, v) && std::any_of(specs.begin(), specs.end(), [&](const ParamSpec& s) { return p.name == s.name; });
    });
    if (!read) {
      std::string who;
      for (Activation a : declaring(p.name)) (who += who.empty() ? "" : ", ") += to_string(a);
      throw UsageError("parameter " + p.name + " belongs to " + who + ", which the selection does not run");
    }
  }
}

}  // namespace

std::span<const Flag> flags() { return kFlags; }

std::string usage() {
  std::string s = R"(usage: elubench [options] [--benchmark_* flags]
Times the variants of the registry, checks each against the float64 reference first, measures
the copy ceiling in the same run and writes one results JSON. Without --activation, --variant,
--dtype or --sizes it runs the default suite (minutes: ELU and ReLU first, the peers, the other
activations where their cost shows; bench/plan/suite.cpp); --full runs everything (hours).

)";
  constexpr std::size_t kHelpColumn = 28;
  for (const Flag& f : kFlags) {
    std::string head = "  ";
    head += f.name;
    if (!f.syntax.empty()) (head += ' ') += f.syntax;
    head.append(head.size() + 2 <= kHelpColumn ? kHelpColumn - head.size() : 3, ' ');
    for (const auto& line : split(std::string(f.help), '\n')) {
      s += head + line + "\n";
      head.assign(kHelpColumn, ' ');
    }
  }
  s += "Google Benchmark flags (--benchmark_filter, --benchmark_out, --benchmark_min_time, ...) pass through.\n";
  s += "\nActivation parameters (--param NAME=V): default, valid range, meaning\n";
  for (Activation a : all_activations())
    if (!is_backward(a))
      for (const ParamSpec& p : param_specs(a))
        s += "  " + std::string(to_string(a)) + " " + p.name + "=" + short_float(p.default_value) + "  [" +
             short_float(p.min) + ", " + short_float(p.max) + "]  " + p.meaning + "\n";
  return s;
}

Options parse_args(int argc, const char* const* argv) {
  Options o;
  for (int i = 0; i < argc; ++i) (o.command_line += i ? " " : "") += argv[i];
  const Given given = collect_flags(argc, argv, o.benchmark_args);
  if (given.count("--help")) {
    o.help = true;
    return o;
  }
  if (given.count("--resume")) {
    // The selection, --out and the flags come from FILE; only Google Benchmark flags may be added.
    for (const auto& [name, value] : given)
      if (name != "--resume") throw UsageError("--resume takes the run's flags from FILE: drop " + std::string(name));
    apply_file("--resume", given.at("--resume").front(), o.resume);
    return o;
  }
  for (const Flag& f : kFlags)
    if (const auto it = given.find(f.name); it != given.end())
      for (const std::string& value : it->second) f.apply(value, o);
  check_contradictions(given, o);
  if (given.count("--activation") || given.count("--variant")) check_selection_meets(o);
  check_params_read(o);
  return o;
}

std::vector<std::string> without_flags(const std::vector<std::string>& argv, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    const std::string name = a.substr(0, a.rfind("--", 0) == 0 ? a.find('=') : std::string::npos);
    const Flag* f = i > 0 && a.rfind("--benchmark_", 0) != 0 ? find_flag(name) : nullptr;
    const bool drop = f && std::find(names.begin(), names.end(), std::string(f->name)) != names.end();
    if (!drop) out.push_back(a);
    // A flag's separate value goes with it (kept or dropped alike).
    if (f && !f->syntax.empty() && name == a && i + 1 < argv.size()) {
      ++i;
      if (!drop) out.push_back(argv[i]);
    }
  }
  return out;
}

}  // namespace elubench::bench
