// How the two halves of the registry (kernels/cpu/registry_cpu.cpp and
// kernels/cuda/registry_gpu.cu) spell their tables: one compact row per variant.
#pragma once

#include <span>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::rows {

struct Row {
  Activation activation;
  const char* variant;
  Dtype dtype;
  Kind kind;
  Accuracy accuracy;
  bool uses_bias;
  std::size_t accesses;  // global-memory passes per element: 2 = one read + one write
  RunFn run;
  const char* description;
};

// Short names so that a table reads as a table.
inline constexpr Dtype f32 = Dtype::f32, f16 = Dtype::f16, bf16 = Dtype::bf16;
inline constexpr Activation elu = Activation::elu, relu = Activation::relu, copy = Activation::copy;
inline constexpr Kind ours = Kind::kernel, peer = Kind::peer, ceiling = Kind::ceiling;
inline constexpr Accuracy exact = Accuracy::exact, accurate = Accuracy::accurate,
                          approximate = Accuracy::approximate, library = Accuracy::library;
inline constexpr bool bias = true, no_bias = false;

void append(Device device, std::span<const Row> table, std::vector<Variant>& out);

}  // namespace elubench::rows
