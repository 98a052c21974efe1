#include "plan/suite.hpp"

#include <algorithm>

namespace elubench::bench {

namespace {
using T = SuiteThreads;

// Sizes, as 2^k elements of the dtype. CPU (f32, x and y together): 2^12 is 32 KiB (L1/L2),
// 2^16 512 KiB (L2), 2^20 8 MiB (last-level cache), 2^24 128 MiB and 2^26 512 MiB (DRAM). GPU:
// 2^16 to 2^20 sit in L2 (cold mode flushes it before each sample), 2^24 and up stream from
// HBM; 2^28 is the size where a kernel meets the copy ceiling.
// A variant named here that a dtype or device lacks simply selects nothing there.
const SuitePart kDefaultSuite[] = {
    {"ELU vs ReLU: ours and the library peers, cache to DRAM, one thread",
     {"elu", "relu"},
     {"vectorized", "fast", "onednn", "xnnpack", "eigen", "sleef", "cub", "thrust", "cudnn"},
     {"f32"},
     {10, 12, 14, 16, 18, 20, 22, 24, 26},
     {16, 20, 24, 28},
     T::one},
    // Below 2^16 a call on every core is mostly the hand-off between threads, not the math.
    {"ELU vs ReLU on every core, where threads pay",
     {"elu", "relu"},
     {"vectorized", "fast", "onednn", "xnnpack", "eigen", "sleef"},
     {"f32"},
     {16, 18, 20, 22, 24, 26},
     {},
     T::all},
    {"ELU vs ReLU in 16-bit storage (float math; native half2 on the GPU)",
     {"elu", "relu"},
     {"vectorized", "fast", "half2", "xnnpack", "cudnn"},
     {"f16", "bf16"},
     {16, 24},
     {20, 28},
     T::one},
    {"The bias epilogue: one fused pass against bias-add then activation",
     {"elu", "relu"},
     {"fused_bias", "bias_then_act"},
     {"f32"},
     {16, 24},
     {20, 28},
     T::one},
    {"Naive code (scalar loop, libm) at a cache and a DRAM size",
     {"elu", "relu"},
     {"naive"},
     {"f32"},
     {12, 22},
     {20, 28},
     T::one},
    {"Every activation's cost over ReLU: compute-bound in cache, memory-bound in DRAM",
     {},
     {"vectorized"},
     {"f32"},
     {16, 24},
     {20, 28},
     T::one},
    {"Backward passes: ELU from its saved output against ReLU",
     {"elu_backward", "relu_backward"},
     {"vectorized"},
     {"f32"},
     {16, 24},
     {20, 28},
     T::one},
};

bool named(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
}  // namespace

std::span<const SuitePart> default_suite() { return kDefaultSuite; }

bool part_selects(const SuitePart& part, const Variant& v) {
  if (v.kind == Kind::ceiling) return false;
  const bool activation =
      part.activations.empty() ? !v.is_backward() : named(part.activations, to_string(v.activation));
  return activation && named(part.variants, v.variant) && named(part.dtypes, to_string(v.dtype));
}

std::vector<std::size_t> part_sizes(const SuitePart& part, Device d) {
  std::vector<std::size_t> out;
  for (int k : d == Device::gpu ? part.gpu_log2_sizes : part.cpu_log2_sizes) out.push_back(std::size_t{1} << k);
  return out;
}

std::vector<int> part_threads(const SuitePart& part, const std::vector<int>& given, int hardware_threads) {
  if (!given.empty()) return given;
  const int all = std::max(1, hardware_threads);
  switch (part.threads) {
    case T::one: return {1};
    case T::all: return {all};
    case T::both: return all == 1 ? std::vector<int>{1} : std::vector<int>{1, all};
  }
  return {1};
}

}  // namespace elubench::bench
