// Run functions of the CPU variants, one file each under kernels/cpu/; registry_cpu.cpp
// lists them. Internal to the library: callers go through the registry.
#pragma once

#include <string>
#include <vector>

#include "elubench/registry.hpp"
#include "expm1_forms.hpp"

struct pthreadpool;  // pthreadpool.h's pthreadpool_t is a pointer to it

namespace elubench::cpu {

// The families: each one's kernel of (activation, dtype), or nullptr where it has none.
RunFn naive_kernel(Activation a, Dtype d);          // every activation, both passes
RunFn vectorized_kernel(Activation a, Dtype d);     // every activation, both passes
RunFn fast_kernel(Activation a, Dtype d);           // forward, activations with a cheaper form
RunFn fused_bias_kernel(Activation a, Dtype d);     // forward; x is rows x cols, bias cols elements
RunFn bias_then_act_kernel(Activation a, Dtype d);  // forward, two passes
// The expm1 form the dispatched SIMD target runs for `need` (expm1-inl.h), e.g. "rr1-p6".
const char* expm1_form_name(Expm1Need need);

#if ELUBENCH_HAVE_ONEDNN
void onednn_elu_f32(const RunArgs&);
void onednn_relu_f32(const RunArgs&);
// "; oneDNN's own JIT dispatch, here avx512_core_bf16 (...)": what its rows ran on.
std::string onednn_dispatch_note();
#endif
#if ELUBENCH_HAVE_EIGEN
void eigen_elu_f32(const RunArgs&);
void eigen_relu_f32(const RunArgs&);
#endif
#if ELUBENCH_HAVE_XNNPACK
void xnnpack_elu_f32(const RunArgs&);
void xnnpack_relu_f32(const RunArgs&);
void xnnpack_relu_f16(const RunArgs&);
// Not rows of their own: what the layer rows (layer_xnnpack.cpp) run after the fully-connected
// operator, and the pool every XNNPACK call of `threads` threads shares (nullptr for 1).
void xnnpack_leaky_relu_f32(const RunArgs&);
::pthreadpool* xnnpack_threadpool(int threads);
#endif
#if ELUBENCH_HAVE_SLEEF
void sleef_elu_f32(const RunArgs&);
// The ISA sleef_elu_f32 runs on ("AVX512F", "AVX2", "SSE4" or "scalar"), chosen on first use,
// and the registry description that names it.
const char* sleef_isa();
const char* sleef_elu_description();
#endif

// The layer rows (layer_onednn.cpp, layer_xnnpack.cpp), which registry_cpu_layers.cpp lists.
#if ELUBENCH_HAVE_ONEDNN
void add_onednn_layer_rows(std::vector<Variant>& out);
#endif
#if ELUBENCH_HAVE_XNNPACK
void add_xnnpack_layer_rows(std::vector<Variant>& out);
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
