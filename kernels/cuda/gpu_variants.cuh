// The lookups of the CUDA variant families, one per kernel file under kernels/cuda/: each
// returns the run function of an (activation, dtype) pair it has, or nullptr (the registry's
// KernelLookup; registry_gpu.cu lists them). Internal to the library: callers go through the
// registry.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::gpu_variants {

RunFn naive(Activation, Dtype);
RunFn vectorized(Activation, Dtype);
RunFn fused_bias(Activation, Dtype);
RunFn bias_then_act(Activation, Dtype);
RunFn half2(Activation, Dtype);
RunFn fast(Activation, Dtype);
RunFn cub_transform(Activation, Dtype);
RunFn thrust_transform(Activation, Dtype);
// Why cub / thrust are absent from this build (a CCCL feature they need, cccl_features.cuh);
// empty when they are built.
std::string cub_transform_left_out();
std::string thrust_transform_left_out();
RunFn copy_vectorized(Activation, Dtype);  // copy only
RunFn copy_memcpy(Activation, Dtype);      // copy only

// cuDNN's legacy activation API: forward activations whose trait names a cudnnActivationMode_t
// (cudnn_mode >= 0), f32 and f16 (it documents FLOAT/DOUBLE/HALF, no bf16). The loader
// (cudnn_loader.cpp) registers these rows and forwards them to the plugin (cudnn.cu).
template <Activation A, Dtype D> constexpr bool cudnn_has() {
  if constexpr (A == Activation::copy || pass_of<A> != Pass::forward) return false;
  else return trait_t<A>::cudnn_mode >= 0 && D != Dtype::bf16;
}
RunFn cudnn_activation(Activation, Dtype);
// Inside libelubench_cudnn.so only (cudnn.cu): the plugin's own run functions, which
// elubench_cudnn_fn (cudnn_plugin.cu) hands to the loader.
RunFn cudnn_direct(Activation, Dtype);
// The packed (h, w) tensors whose cuDNN calls cover n elements, in order (cudnn_fold.cpp).
std::vector<std::pair<int, int>> cudnn_fold(std::size_t n);

}  // namespace elubench::gpu_variants
