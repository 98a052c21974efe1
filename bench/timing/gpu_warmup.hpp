// The cub/thrust warm-up: every GPU variant is called once at a large n before anything is
// timed. CCCL 3.0.1's DeviceTransform keeps the tile size of the first call of each
// instantiation, so a small first call would slow every later size of cub and thrust, and
// interleaving would make that depend on the order. Calling all variants costs a few ms and
// needs no list of names. The rules here are host code; the launch is gpu_warmup.cu.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::bench {

// Elements for the warm-up: at least 2^26 and at least the run's largest size, halved until
// `tensors` buffers of 4-byte elements (x and y, and dy when a backward is warmed) fit in half
// of the free device memory; 0 when not even 2^20 fits (then there is no warm-up, and the JSON
// says so).
std::size_t warmup_elements(std::size_t largest_n, std::size_t free_bytes, int tensors = 2);

// The device buffers every variant is warmed with: x, y and dy of n 4-byte elements (zeros; a
// 16-bit variant reads the first half), and a bias of warmup_bias_cols(n) elements.
struct WarmupBuffers {
  const void* x = nullptr;
  void* y = nullptr;
  const void* grad = nullptr;  // null when no backward variant is warmed
  const void* bias = nullptr;
};
// The bias length a row of n elements gets (bias_cols, results/row.hpp), so that n is always a
// multiple of it.
std::size_t warmup_bias_cols(std::size_t n);
// What variant v is warmed with: what its kind needs (the bias shape, dy for a backward).
RunArgs warmup_args(const Variant& v, std::size_t n, const WarmupBuffers& b);
// Calls each variant once with warmup_args through `call` (the CUDA side: the launch and a sync;
// the tests: the argument checks alone). Returns the names warmed; each failure goes to *note as
// "name: why", and the others are still warmed.
std::vector<std::string> warm_up_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                          const WarmupBuffers& b,
                                          const std::function<void(const Variant&, const RunArgs&)>& call,
                                          std::string* note);

// CUDA builds (gpu_warmup.cu): allocates the buffers on the current device and calls every
// variant once through warm_up_variants. Returns the names warmed; failures (e.g. cuDNN not
// loadable) go to *note.
std::vector<std::string> warm_up_gpu_variants(const std::vector<const Variant*>& variants, std::size_t n,
                                              std::string* note);

}  // namespace elubench::bench
