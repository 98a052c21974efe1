// Run functions of the CUDA variants, one file each under kernels/cuda/ (each file holds the
// explicit instantiations for the activations and dtypes it supports); registry_gpu.cu lists
// them. Internal to the library: callers go through the registry.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench::gpu_variants {

template <Activation A, Dtype D> void naive(const RunArgs&);
template <Activation A, Dtype D> void vectorized(const RunArgs&);
template <Activation A, Dtype D> void fused_bias(const RunArgs&);
template <Activation A, Dtype D> void bias_then_act(const RunArgs&);
template <Activation A, Dtype D> void half2(const RunArgs&);  // f16, bf16
template <Dtype D> void fast_elu(const RunArgs&);
template <Activation A, Dtype D> void cub_transform(const RunArgs&);
template <Activation A, Dtype D> void thrust_transform(const RunArgs&);
template <Activation A, Dtype D> void cudnn_activation(const RunArgs&);  // f32, f16
// The packed (h, w) tensors whose cuDNN calls cover n elements, in order (cudnn_fold.cpp).
std::vector<std::pair<int, int>> cudnn_fold(std::size_t n);
template <Dtype D> void copy_memcpy(const RunArgs&);
template <Dtype D> void copy_vectorized(const RunArgs&);

}  // namespace elubench::gpu_variants

// Explicit instantiations, written once per file.
#define EB_INSTANTIATE_ACT(fn, D)                                                 \
  template void fn<::elubench::Activation::elu, D>(const ::elubench::RunArgs&); \
  template void fn<::elubench::Activation::relu, D>(const ::elubench::RunArgs&);
#define EB_INSTANTIATE_ACT_ALL(fn)             \
  EB_INSTANTIATE_ACT(fn, ::elubench::Dtype::f32) \
  EB_INSTANTIATE_ACT(fn, ::elubench::Dtype::f16) \
  EB_INSTANTIATE_ACT(fn, ::elubench::Dtype::bf16)
#define EB_INSTANTIATE_DTYPE_ALL(fn)                                    \
  template void fn<::elubench::Dtype::f32>(const ::elubench::RunArgs&); \
  template void fn<::elubench::Dtype::f16>(const ::elubench::RunArgs&); \
  template void fn<::elubench::Dtype::bf16>(const ::elubench::RunArgs&);
