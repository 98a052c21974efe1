#include "timing/gpu_warmup.hpp"

#include <algorithm>
#include <exception>

#include "results/row.hpp"

namespace elubench::bench {

std::size_t warmup_elements(std::size_t largest_n, std::size_t free_bytes, int tensors) {
  std::size_t n = std::max<std::size_t>(std::size_t{1} << 26, largest_n);
  // The tensors in the widest dtype (4 bytes), within half the free memory.
  const std::size_t t = static_cast<std::size_t>(std::max(tensors, 1));
  while (n >= (std::size_t{1} << 20) && t * n * 4 > free_bytes / 2) n /= 2;
  return n >= (std::size_t{1} << 20) ? n : 0;
}

std::size_t warmup_bias_cols(std::size_t n) { return bias_cols(n); }

RunArgs warmup_args(const Variant& v, std::size_t n, const WarmupBuffers& b) {
  RunArgs a;
  a.x = b.x;
  a.y = b.y;
  a.n = n;
  a.params = default_params(v.activation);
  if (v.is_backward()) a.grad = b.grad;
  if (v.uses_bias) {
    a.bias = b.bias;
    a.cols = warmup_bias_cols(n);
  }
  return a;
}

std::vector<std::string> warm_up_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                          const WarmupBuffers& b,
                                          const std::function<void(const Variant&, const RunArgs&)>& call,
                                          std::string* note) {
  std::vector<std::string> warmed;
  for (const Variant* v : variants) {
    try {
      call(*v, warmup_args(*v, n, b));
      warmed.push_back(v->name);
    } catch (const std::exception& e) {
      if (note) *note += (note->empty() ? "" : "; ") + v->name + ": " + e.what();
    }
  }
  return warmed;
}

}  // namespace elubench::bench
