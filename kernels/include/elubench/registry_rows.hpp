// How the two halves of the registry (kernels/cpu/registry_cpu.cpp and
// kernels/cuda/registry_gpu.cu) spell their tables: one row per variant family (a template over
// activation and dtype, expanded to a row per pair it supports), and one compact row per single
// variant (library peers, copy ceilings).
#pragma once

#include <span>
#include <string>
#include <utility>
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

// A family's kernel for one (activation, dtype), or nullptr where the family has none (fast
// without a cheaper form, a bias family for a backward, half2 for f32): generated per family
// from its template (kernels/cpu/simd-inl.h KernelTable, kernels/cuda/family_table.cuh).
using KernelLookup = RunFn (*)(Activation, Dtype);

// A family's lookup from its template: Family<A, D>::run() is the kernel of (A, D) or nullptr.
// The table holds every activation of activation_list.hpp x every dtype, so a new activation gets
// each family's kernels with no change to the family.
inline constexpr std::size_t kDtypeCount = 3;
inline constexpr std::size_t kActivationCount = static_cast<std::size_t>(Activation::copy);
template <template <Activation, Dtype> class Family, std::size_t... I>
RunFn lookup_in(Activation a, Dtype d, std::index_sequence<I...>) {
  static constexpr RunFn kTable[] = {
      Family<static_cast<Activation>(I / kDtypeCount), static_cast<Dtype>(I % kDtypeCount)>::run()...};
  return kTable[static_cast<std::size_t>(a) * kDtypeCount + static_cast<std::size_t>(d)];
}
template <template <Activation, Dtype> class Family>
RunFn kernel_table(Activation a, Dtype d) {
  if (a == Activation::copy) return nullptr;
  return lookup_in<Family>(a, d, std::make_index_sequence<kActivationCount * kDtypeCount>{});
}

struct Family {
  const char* variant;
  Kind kind;
  // The class of its rows: an exact activation (ReLU) keeps `exact` in an accurate or
  // approximate family; a library family holds every row to the library class.
  Accuracy accuracy;
  bool uses_bias;
  int passes;  // passes over memory as implemented (Variant::passes); the bytes counted are the operation's
  KernelLookup kernel;
  const char* description;
};

// One layer row: Variant::layer set, bytes_per_element 0 (a layer's work is layer_flops and
// layer_bytes of elubench/layer.hpp), no bias family (its bias is part of the layer).
Variant layer_row(Device device, Activation a, const char* variant, Dtype d, Kind kind, Accuracy accuracy, RunFn run,
                  std::string description, LayerMethod method);
// The accuracy class of a forward activation computed by our kernels: exact where the trait is
// (ReLU), accurate otherwise; copy (no activation): exact.
Accuracy ours_accuracy(Activation a);

void append(Device device, std::span<const Row> table, std::vector<Variant>& out);
// One row per (activation, dtype) that each family has a kernel for.
void append(Device device, std::span<const Family> families, std::vector<Variant>& out);

}  // namespace elubench::rows
