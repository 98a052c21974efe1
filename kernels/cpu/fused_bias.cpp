// cpu/*/fused_bias: y = act(x + b[col]) for x of rows x cols (row-major) in ONE pass: each
// element is read once, biased in a register, activated and written once. Against
// bias_then_act it saves the second read and write of y (4 accesses per element -> 2), which
// is what a framework's fused epilogue buys. The bias row (cols elements) is re-read for every
// row; it stays in L1/L2. Rows whose length is not a multiple of the vector width end in the
// same one-vector buffered tail as every other Highway variant.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "fused_bias.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>


#include "cpu_variants.hpp"
#include "parallel.hpp"
#include "simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {

template <Dtype T>
void FusedBiasElu(const RunArgs& a) {
  const VF alpha = hn::Set(DF(), a.alpha);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapRowsWithBias<T>(a.x, a.bias, a.y, a.cols, begin, end,
                       [alpha](DF d, VF x, VF b) { return EluAccurate<T>(d, hn::Add(x, b), alpha); });
  });
}

template <Dtype T>
void FusedBiasRelu(const RunArgs& a) {
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapRowsWithBias<T>(a.x, a.bias, a.y, a.cols, begin, end,
                       [](DF d, VF x, VF b) { return Relu(d, hn::Add(x, b)); });
  });
}

void FusedBiasEluF32(const RunArgs& a) { FusedBiasElu<Dtype::f32>(a); }
void FusedBiasEluF16(const RunArgs& a) { FusedBiasElu<Dtype::f16>(a); }
void FusedBiasEluBf16(const RunArgs& a) { FusedBiasElu<Dtype::bf16>(a); }
void FusedBiasReluF32(const RunArgs& a) { FusedBiasRelu<Dtype::f32>(a); }
void FusedBiasReluF16(const RunArgs& a) { FusedBiasRelu<Dtype::f16>(a); }
void FusedBiasReluBf16(const RunArgs& a) { FusedBiasRelu<Dtype::bf16>(a); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(FusedBiasEluF32);
HWY_EXPORT(FusedBiasEluF16);
HWY_EXPORT(FusedBiasEluBf16);
HWY_EXPORT(FusedBiasReluF32);
HWY_EXPORT(FusedBiasReluF16);
HWY_EXPORT(FusedBiasReluBf16);

void fused_bias_elu_f32(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasEluF32)(a); }
void fused_bias_elu_f16(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasEluF16)(a); }
void fused_bias_elu_bf16(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasEluBf16)(a); }
void fused_bias_relu_f32(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasReluF32)(a); }
void fused_bias_relu_f16(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasReluF16)(a); }
void fused_bias_relu_bf16(const RunArgs& a) { check_bias_shape(a, "cpu fused_bias"); HWY_DYNAMIC_DISPATCH(FusedBiasReluBf16)(a); }

}  // namespace elubench::cpu
#endif
