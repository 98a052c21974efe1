// Run functions of the CPU variants, one file each under kernels/cpu/; registry_cpu.cpp
// lists them. Internal to the library: callers go through the registry.
#pragma once

#include "elubench/registry.hpp"

namespace elubench::cpu {

void naive_elu_f32(const RunArgs&);
void naive_elu_f16(const RunArgs&);
void naive_elu_bf16(const RunArgs&);
void naive_relu_f32(const RunArgs&);
void naive_relu_f16(const RunArgs&);
void naive_relu_bf16(const RunArgs&);

void vectorized_elu_f32(const RunArgs&);
void vectorized_elu_f16(const RunArgs&);
void vectorized_elu_bf16(const RunArgs&);
void vectorized_relu_f32(const RunArgs&);
void vectorized_relu_f16(const RunArgs&);
void vectorized_relu_bf16(const RunArgs&);

void fast_elu_f32(const RunArgs&);
void fast_elu_f16(const RunArgs&);
void fast_elu_bf16(const RunArgs&);

// Bias variants: x is rows x cols, args.bias holds cols elements (checked by check_bias_shape).
void fused_bias_elu_f32(const RunArgs&);
void fused_bias_elu_f16(const RunArgs&);
void fused_bias_elu_bf16(const RunArgs&);
void fused_bias_relu_f32(const RunArgs&);
void fused_bias_relu_f16(const RunArgs&);
void fused_bias_relu_bf16(const RunArgs&);
void bias_then_elu_f32(const RunArgs&);
void bias_then_elu_f16(const RunArgs&);
void bias_then_elu_bf16(const RunArgs&);
void bias_then_relu_f32(const RunArgs&);
void bias_then_relu_f16(const RunArgs&);
void bias_then_relu_bf16(const RunArgs&);

#if ELUBENCH_HAVE_ONEDNN
void onednn_elu_f32(const RunArgs&);
void onednn_relu_f32(const RunArgs&);
#endif
#if ELUBENCH_HAVE_EIGEN
void eigen_elu_f32(const RunArgs&);
void eigen_relu_f32(const RunArgs&);
#endif
#if ELUBENCH_HAVE_XNNPACK
void xnnpack_elu_f32(const RunArgs&);
void xnnpack_relu_f32(const RunArgs&);
void xnnpack_relu_f16(const RunArgs&);
#endif
#if ELUBENCH_HAVE_SLEEF
void sleef_elu_f32(const RunArgs&);
// The ISA sleef_elu_f32 runs on ("AVX512F", "AVX2", "SSE4" or "scalar"), chosen on first use,
// and the registry description that names it.
const char* sleef_isa();
const char* sleef_elu_description();
#endif

void memcpy_f32(const RunArgs&);
void memcpy_f16(const RunArgs&);
void memcpy_bf16(const RunArgs&);
void copy_vectorized_f32(const RunArgs&);
void copy_vectorized_f16(const RunArgs&);
void copy_vectorized_bf16(const RunArgs&);
void copy_nontemporal_f32(const RunArgs&);
void copy_nontemporal_f16(const RunArgs&);
void copy_nontemporal_bf16(const RunArgs&);

}  // namespace elubench::cpu
