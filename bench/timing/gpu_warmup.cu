// The CUDA side of the warm-up (timing/gpu_warmup.hpp): device buffers and one synchronized
// launch per variant. No nlohmann/json here (style guide).
#include <cuda_runtime.h>

#include <algorithm>

#include "timing/cuda_call.cuh"
#include "timing/gpu_warmup.hpp"

namespace elubench::bench {

std::vector<std::string> warm_up_gpu_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                              std::string* note) {
  if (n == 0 || variants.empty()) return {};
  const bool backward = std::any_of(variants.begin(), variants.end(), [](const Variant* v) { return v->is_backward(); });
  const std::size_t cols = warmup_bias_cols(n);
  void *x = nullptr, *y = nullptr, *g = nullptr, *b = nullptr;
  struct Frees {
    void **x, **y, **g, **b;
    ~Frees() { cudaFree(*x); cudaFree(*y); cudaFree(*g); cudaFree(*b); }
  } frees{&x, &y, &g, &b};
  check(cudaMalloc(&x, n * 4), "cudaMalloc(warm-up x)");
  check(cudaMalloc(&y, n * 4), "cudaMalloc(warm-up y)");
  check(cudaMalloc(&b, cols * 4), "cudaMalloc(warm-up bias)");
  check(cudaMemset(x, 0, n * 4), "cudaMemset");
  check(cudaMemset(b, 0, cols * 4), "cudaMemset");
  if (backward) {  // dy: every backward reads it
    check(cudaMalloc(&g, n * 4), "cudaMalloc(warm-up dy)");
    check(cudaMemset(g, 0, n * 4), "cudaMemset");
  }
  const auto launch = [](const Variant& v, const RunArgs& a) {
    try {
      v.run(a);
      check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    } catch (...) {
      cudaGetLastError();  // a non-sticky launch error must not fail the next variant
      throw;
    }
  };
  return warm_up_variants(variants, n, WarmupBuffers{x, y, g, b}, launch, note);
}

}  // namespace elubench::bench
