// cpu/*/bias_then_act: the unfused reference for fused_bias. Pass 1 writes y = x + b[col]
// (rounded to the dtype), pass 2 applies the activation to y in place: two full sweeps, so
// 4 memory accesses per element instead of 2, as when a framework runs the bias add and the
// activation as separate ops. Both passes are the same Highway code as the other variants.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "bias_then_act.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include "cpu_variants.hpp"
#include "parallel.hpp"
#include "simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {

template <Dtype T>
void AddBias(const RunArgs& a) {
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapRowsWithBias<T>(a.x, a.bias, a.y, a.cols, begin, end, [](DF, VF x, VF b) { return hn::Add(x, b); });
  });
}

template <Dtype T>
void BiasThenElu(const RunArgs& a) {
  AddBias<T>(a);
  const VF alpha = hn::Set(DF(), a.alpha);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapUnary<T>(a.y, a.y, begin, end, [alpha](DF d, VF x) { return EluAccurate<T>(d, x, alpha); });
  });
}

template <Dtype T>
void BiasThenRelu(const RunArgs& a) {
  AddBias<T>(a);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapUnary<T>(a.y, a.y, begin, end, [](DF d, VF x) { return Relu(d, x); });
  });
}

void BiasThenEluF32(const RunArgs& a) { BiasThenElu<Dtype::f32>(a); }
void BiasThenEluF16(const RunArgs& a) { BiasThenElu<Dtype::f16>(a); }
void BiasThenEluBf16(const RunArgs& a) { BiasThenElu<Dtype::bf16>(a); }
void BiasThenReluF32(const RunArgs& a) { BiasThenRelu<Dtype::f32>(a); }
void BiasThenReluF16(const RunArgs& a) { BiasThenRelu<Dtype::f16>(a); }
void BiasThenReluBf16(const RunArgs& a) { BiasThenRelu<Dtype::bf16>(a); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(BiasThenEluF32);
HWY_EXPORT(BiasThenEluF16);
HWY_EXPORT(BiasThenEluBf16);
HWY_EXPORT(BiasThenReluF32);
HWY_EXPORT(BiasThenReluF16);
HWY_EXPORT(BiasThenReluBf16);

void bias_then_elu_f32(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenEluF32)(a); }
void bias_then_elu_f16(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenEluF16)(a); }
void bias_then_elu_bf16(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenEluBf16)(a); }
void bias_then_relu_f32(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenReluF32)(a); }
void bias_then_relu_f16(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenReluF16)(a); }
void bias_then_relu_bf16(const RunArgs& a) { check_bias_shape(a, "cpu bias_then_act"); HWY_DYNAMIC_DISPATCH(BiasThenReluBf16)(a); }

}  // namespace elubench::cpu
#endif
