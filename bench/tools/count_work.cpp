// elubench_count: one call of every CPU kernel of ours, bracketed by callgrind client requests,
// for the deterministic regression gate (scripts/count_gate.py). Wall-clock time on a shared VM
// drifts tens of percent between identical runs; the instructions a call executes do not (same
// binary, same input, same SIMD target). Outside valgrind the client requests are no-ops, so the
// binary also runs plainly: it then only checks every output against the float64 reference.
//
// Output: "simd_target <T>" (what Highway dispatches to in this process: under valgrind that is
// decided by valgrind's CPUID, which can differ from the native one), "n <N>", then
// "<variant> ok" per variant. Exit 1 if an output fails its check (a wrong kernel must not be
// counted), 2 on bad arguments.
#include <valgrind/callgrind.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "elubench/cpu.hpp"
#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"
#include "buffers/host_buffer.hpp"

namespace {

using elubench::bench::HostBuffer;

constexpr std::size_t kBiasCols = 1024;
constexpr std::uint32_t kSeed = 20240611u;

// Normal(0, 1) from std::mt19937 (its sequence is fixed by the standard) through our own
// Box-Muller: std::normal_distribution's algorithm is the library's choice, and a different
// input changes which branches (x > 0, tails) the kernels take, so the counts with it.
std::vector<float> normal_input(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  auto uniform01 = [&gen] {  // (0, 1]: 32 random bits, never 0 so log() is finite
    return (static_cast<double>(gen()) + 1.0) / 4294967296.0;
  };
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; i += 2) {
    const double r = std::sqrt(-2.0 * std::log(uniform01()));
    const double t = 6.283185307179586 * uniform01();
    out[i] = static_cast<float>(r * std::cos(t));
    if (i + 1 < n) out[i + 1] = static_cast<float>(r * std::sin(t));
  }
  return out;
}

// Values stored in the variant's dtype (rounded once, to nearest even).
void store_all(const std::vector<float>& v, void* dst, elubench::Dtype d) {
  for (std::size_t i = 0; i < v.size(); ++i) elubench::store_from_float(dst, i, d, v[i]);
}

int usage(const char* msg) {
  std::fprintf(stderr, "elubench_count: %s (usage: elubench_count [--n N], N >= 1024, a multiple of %zu)\n",
               msg, kBiasCols);
  return 2;
}

// n from the command line (default 2^16), or the usage message's exit code.
std::variant<std::size_t, int> parse_n(int argc, char** argv) {
  std::size_t n = std::size_t{1} << 16;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--n" && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0') return usage("--n wants a positive integer");
      n = static_cast<std::size_t>(v);
    } else {
      return usage(("unknown argument '" + std::string(arg) + "'").c_str());
    }
  }
  // Bias variants take n as rows x kBiasCols.
  if (n < kBiasCols || n % kBiasCols != 0) return usage("bad --n");
  return n;
}

// What every variant is counted on: the same normal input, and a fixed bias row exactly
// representable in all three dtypes (multiples of 1/16 in [-0.5, 0.5], so x + b still has both
// signs).
struct Inputs {
  std::vector<float> x, bias;
  explicit Inputs(std::size_t n) : x(normal_input(n, kSeed)), bias(kBiasCols) {
    for (std::size_t j = 0; j < kBiasCols; ++j) bias[j] = static_cast<float>(static_cast<int>(j % 17) - 8) / 16.0f;
  }
};

// One variant's buffers, placed as the bench places them: where x and y fall decides nothing
// about the count, but it keeps this run's memory layout the same as the timed one's. A backward
// reads its saved tensor as x and dy as grad (here the input reversed).
struct Buffers {
  HostBuffer x, y, bias, grad;
  Buffers(const elubench::Variant& v, const Inputs& in, std::size_t n)
      : x(n * elubench::dtype_size(v.dtype), HostBuffer::kOffsetX),
        y(n * elubench::dtype_size(v.dtype), HostBuffer::kOffsetY),
        bias(kBiasCols * elubench::dtype_size(v.dtype), HostBuffer::kOffsetBias),
        grad(v.is_backward() ? n * elubench::dtype_size(v.dtype) : 0, HostBuffer::kOffsetBias) {
    store_all(in.x, x.data(), v.dtype);
    store_all(in.bias, bias.data(), v.dtype);
    if (!v.is_backward()) return;
    store_all(std::vector<float>(in.x.rbegin(), in.x.rend()), grad.data(), v.dtype);
    HostBuffer plain(x.size(), HostBuffer::kOffsetX);
    std::memcpy(plain.data(), x.data(), x.size());
    elubench::make_saved_input(v, plain.data(), x.data(), n, elubench::default_params(v.activation));
  }
  elubench::RunArgs args(const elubench::Variant& v, std::size_t n) const {
    elubench::RunArgs a;
    a.x = x.data();
    a.y = y.data();
    a.n = n;
    a.params = elubench::default_params(v.activation);
    a.threads = 1;
    a.grad = v.is_backward() ? grad.data() : nullptr;
    if (v.uses_bias) {
      a.bias = bias.data();
      a.cols = kBiasCols;
    }
    return a;
  }
};

// Counts one call of v and checks its output; prints "<name> ok" or "<name> FAIL why".
bool count_one(const elubench::Variant& v, const Inputs& in, std::size_t n) {
  const Buffers b(v, in, n);
  const elubench::RunArgs a = b.args(v, n);
  // Warm call: the first call of a dispatched kernel pays for Highway's target selection
  // (and the first touch of y its page faults); neither is the kernel's work.
  v.run(a);
  CALLGRIND_ZERO_STATS;
  v.run(a);
  CALLGRIND_DUMP_STATS_AT(v.name.c_str());
  const elubench::CheckResult c = elubench::check_against_reference(
      v, b.x.data(), b.y.data(), n, a.params, v.uses_bias ? b.bias.data() : nullptr, v.uses_bias ? kBiasCols : 0, a.grad);
  if (c.ok) std::printf("%s ok\n", v.name.c_str());
  else std::printf("%s FAIL %s\n", v.name.c_str(), c.message.c_str());
  return c.ok;
}

// Every CPU kernel of ours counted once; the exit code.
int count_all(std::size_t n) {
  std::printf("simd_target %s\nn %zu\n", elubench::cpu::simd_target().c_str(), n);
  const Inputs in(n);
  int failures = 0, counted = 0;
  for (const elubench::Variant& v : elubench::all_variants()) {
    if (v.device != elubench::Device::cpu || v.kind != elubench::Kind::kernel) continue;
    ++counted;
    failures += !count_one(v, in, n);
  }
  std::fflush(stdout);
  if (counted == 0) {
    std::fprintf(stderr, "elubench_count: no CPU kernel variants in the registry\n");
    return 1;
  }
  if (failures) {
    std::fprintf(stderr, "elubench_count: %d variant(s) failed the reference check\n", failures);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto n = parse_n(argc, argv);
  if (const int* rc = std::get_if<int>(&n)) return *rc;
  try {
    return count_all(std::get<std::size_t>(n));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "elubench_count: %s\n", e.what());
    return 1;
  }
}
