#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "selectable.hpp"

namespace elubench::bench {

std::string_view to_string(Input i) {
  switch (i) {
    case Input::normal: return "normal";
    case Input::negative: return "negative";
    case Input::positive: return "positive";
  }
  return "?";
}
std::string_view to_string(Cache c) { return c == Cache::cold ? "cold" : "hot"; }

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

// The GPU stopping rule's flags; their consistency (min <= max) is checked here too.
void parse_gpu_stop_flags(std::map<std::string, std::string>& values, Options& o) {
  if (values.count("--gpu-stdrel")) o.gpu_stdrel_pct = parse_positive("--gpu-stdrel", values["--gpu-stdrel"], 1e-4, 100);
  if (values.count("--gpu-max-time")) o.gpu_max_time_s = parse_positive("--gpu-max-time", values["--gpu-max-time"], 1e-4, 3600);
  for (auto [flag, dst] : {std::pair{"--gpu-min-samples", &o.gpu_min_samples}, std::pair{"--gpu-max-samples", &o.gpu_max_samples}}) {
    if (!values.count(flag)) continue;
    const auto v = parse_uint(values[flag]);
    if (!v || *v < 2 || *v > 10'000'000) throw UsageError(std::string(flag) + ": '" + values[flag] + "' must be a whole number >= 2");
    *dst = static_cast<int>(*v);
  }
  if (o.gpu_min_samples && o.gpu_max_samples && *o.gpu_min_samples > *o.gpu_max_samples)
    throw UsageError("--gpu-min-samples is larger than --gpu-max-samples");
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

std::string usage() {
  return R"(usage: elubench [options] [--benchmark_* flags]
Times every registered variant (registry x dtypes x sizes), checks each against the float64
reference first, measures the copy ceiling in the same run and writes one results JSON.

  --device cpu|gpu|all      devices to run (default all: GPU rows are 'skipped' when no GPU)
  --activation LIST         elu,relu (copy ceilings always run)
  --variant LIST            e.g. naive,vectorized (third part of a name in --list)
  --dtype LIST              f32,f16,bf16
  --sizes SPEC              1024,2^20 or 2^10:2^28:x4 (default GPU 2^10..2^28, CPU 2^10..2^26, x4)
  --alpha A                 ELU alpha (default 1)
  --input normal|negative|positive   input distribution (default normal)
  --cache cold|hot          GPU: flush L2 before each sample, or back-to-back launches
  --threads LIST            CPU worker threads, numbers or 'all' (default 1,all)
  --repetitions N           CPU: samples per result, at least 10 (default 10)
  --gpu-stdrel PCT          GPU: sample each row until the relative standard error of the mean
                            is below PCT percent (default 0.5), nvbench's stdrel criterion...
  --gpu-min-samples N       ...after at least N samples (default 10)...
  --gpu-max-samples N       ...and at most N samples (default 10000)...
  --gpu-max-time S          ...and S seconds of sampling per row (default 0.5; --quick 0.05)
  --gpu N|all               which GPU (default 0)
  --out FILE                results file (default results/<hostname>-<UTC time>.json)
  --force                   overwrite an existing --out file
  --list                    print the registry, one name a line, and exit
  --resume FILE             complete an interrupted run: FILE is its results file (rows marked
                            interrupted) or its OUT.journal; runs only the rows not finished
  --quick                   CI smoke: sizes 2^12,2^16,2^20, f32 + f16, short samples
  --help                    this text
Google Benchmark flags (--benchmark_filter, --benchmark_out, --benchmark_min_time, ...) pass through.
)";
}

Options parse_args(int argc, const char* const* argv) {
  Options o;
  std::set<std::string> seen;
  for (int i = 0; i < argc; ++i) {
    if (i) o.command_line += ' ';
    o.command_line += argv[i];
  }
  static const std::set<std::string> with_value = {"--device", "--activation", "--variant", "--dtype",
                                                   "--sizes", "--alpha", "--input", "--cache", "--threads",
                                                   "--repetitions", "--gpu", "--out", "--gpu-stdrel",
                                                   "--gpu-min-samples", "--gpu-max-samples", "--gpu-max-time", "--resume"};
  static const std::set<std::string> switches = {"--force", "--list", "--quick", "--help", "-h"};
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--benchmark_", 0) == 0) {
      o.benchmark_args.push_back(arg);
      continue;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (with_value.count(name)) {
      if (!has_value) {
        if (i + 1 >= argc) throw UsageError(name + " needs a value");
        value = argv[++i];
      }
    } else if (switches.count(name)) {
      if (has_value) throw UsageError(name + " takes no value");
    } else {
      throw UsageError("unknown argument '" + arg + "' (see --help)");
    }
    if (name == "-h") name = "--help";
    if (!seen.insert(name).second) throw UsageError(name + " given twice");
    values[name] = value;
  }

  o.help = seen.count("--help");
  o.list = seen.count("--list");
  o.quick = seen.count("--quick");
  o.force = seen.count("--force");
  if (o.help) return o;
  if (seen.count("--resume")) {
    // The selection, --out and the flags come from FILE; only Google Benchmark flags may be added.
    for (const auto& name : seen)
      if (name != "--resume") throw UsageError("--resume takes the run's flags from FILE: drop " + name);
    o.resume = values["--resume"];
    if (o.resume.empty()) throw UsageError("--resume: empty file name");
    return o;
  }

  const auto reg = selectable_variants();
  if (values.count("--device")) {
    for (const auto& d : split_list("--device", values["--device"])) {
      if (d == "all") {
        o.devices = {Device::cpu, Device::gpu};
      } else if (const auto dev = parse_device(d)) {
        if (std::find(o.devices.begin(), o.devices.end(), *dev) == o.devices.end()) o.devices.push_back(*dev);
      } else {
        throw UsageError("--device: unknown device '" + d + "' (cpu, gpu or all)");
      }
    }
  }
  if (values.count("--activation")) {
    for (const auto& a : split_list("--activation", values["--activation"])) {
      const auto act = parse_activation(a);
      if (!act) throw UsageError("--activation: unknown activation '" + a + "' (elu, relu, copy)");
      o.activations.push_back(*act);
    }
  }
  if (values.count("--variant")) {
    for (const auto& v : split_list("--variant", values["--variant"])) {
      const bool known = std::any_of(reg.begin(), reg.end(), [&](const Variant& r) { return r.variant == v; });
      if (!known) throw UsageError("--variant: no registered variant is called '" + v + "' (see --list)");
      o.variants.push_back(v);
    }
  }
  if (values.count("--dtype")) {
    for (const auto& d : split_list("--dtype", values["--dtype"])) {
      const auto t = parse_dtype(d);
      if (!t) throw UsageError("--dtype: unknown dtype '" + d + "' (f32, f16, bf16)");
      o.dtypes.push_back(*t);
    }
  }
  if (values.count("--sizes")) o.sizes = parse_sizes(values["--sizes"]);
  if (values.count("--alpha")) {
    const std::string& s = values["--alpha"];
    std::size_t used = 0;
    float a = 0;
    try {
      a = std::stof(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty() || !(a == a) || a < 0 || a > 1e6f)
      throw UsageError("--alpha: '" + s + "' is not a finite number >= 0");
    o.alpha = a;
  }
  if (values.count("--input")) {
    const std::string& s = values["--input"];
    if (s == "normal") o.input = Input::normal;
    else if (s == "negative") o.input = Input::negative;
    else if (s == "positive") o.input = Input::positive;
    else throw UsageError("--input: unknown distribution '" + s + "' (normal, negative, positive)");
  }
  if (values.count("--cache")) {
    const std::string& s = values["--cache"];
    if (s == "cold") o.cache = Cache::cold;
    else if (s == "hot") o.cache = Cache::hot;
    else throw UsageError("--cache: unknown mode '" + s + "' (cold, hot)");
  }
  if (values.count("--threads")) {
    for (const auto& t : split_list("--threads", values["--threads"])) {
      if (t == "all") {
        o.threads.push_back(0);
        continue;
      }
      const auto v = parse_uint(t);
      if (!v || *v < 1 || *v > 4096) throw UsageError("--threads: '" + t + "' is not a thread count (1..4096 or all)");
      o.threads.push_back(static_cast<int>(*v));
    }
  }
  if (values.count("--repetitions")) {
    const auto v = parse_uint(values["--repetitions"]);
    if (!v || *v < 10 || *v > 100000)
      throw UsageError("--repetitions: '" + values["--repetitions"] + "' must be a whole number >= 10");
    o.repetitions = static_cast<int>(*v);
  }
  if (values.count("--gpu")) {
    const std::string& s = values["--gpu"];
    if (s == "all") {
      o.gpu = -1;
    } else {
      const auto v = parse_uint(s);
      if (!v || *v > 1024) throw UsageError("--gpu: '" + s + "' is not a GPU ordinal or 'all'");
      o.gpu = static_cast<int>(*v);
    }
  }
  parse_gpu_stop_flags(values, o);
  if (values.count("--out")) {
    o.out = values["--out"];
    if (o.out.empty()) throw UsageError("--out: empty file name");
  }

  // Contradictions: a flag that cannot apply to what was asked for is a mistake worth naming.
  const bool cpu_only = o.devices.size() == 1 && o.devices[0] == Device::cpu;
  const bool gpu_only = o.devices.size() == 1 && o.devices[0] == Device::gpu;
  if (cpu_only && seen.count("--cache")) throw UsageError("--cache applies to GPU rows but --device is cpu");
  if (cpu_only && seen.count("--gpu")) throw UsageError("--gpu applies to GPU rows but --device is cpu");
  for (const char* f : {"--gpu-stdrel", "--gpu-min-samples", "--gpu-max-samples", "--gpu-max-time"})
    if (cpu_only && seen.count(f)) throw UsageError(std::string(f) + " applies to GPU rows but --device is cpu");
  if (gpu_only && seen.count("--threads")) throw UsageError("--threads applies to CPU rows but --device is gpu");
  if (o.quick && seen.count("--sizes")) throw UsageError("--quick fixes the sizes: drop --sizes or --quick");
  if (o.quick && seen.count("--repetitions"))
    throw UsageError("--quick fixes the repetitions: drop --repetitions or --quick");
  if (o.list && (seen.count("--out") || seen.count("--force")))
    throw UsageError("--list prints the registry and writes no results: drop --out/--force");
  if (o.force && !seen.count("--out")) throw UsageError("--force needs --out (the default path never collides)");
  if (!seen.count("--activation") && !seen.count("--variant")) return o;

  // A selection that names things which never meet (e.g. --variant memcpy --activation elu)
  // would run only the ceilings: say so instead.
  const bool any = std::any_of(reg.begin(), reg.end(), [&](const Variant& v) {
    const bool act = o.activations.empty() ||
                     std::find(o.activations.begin(), o.activations.end(), v.activation) != o.activations.end();
    const bool var = o.variants.empty() || std::find(o.variants.begin(), o.variants.end(), v.variant) != o.variants.end();
    return act && var;
  });
  if (!any) throw UsageError("--activation and --variant select no registered variant together (see --list)");
  return o;
}

}  // namespace elubench::bench
