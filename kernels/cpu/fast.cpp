// cpu/elu/fast: vectorized ELU with a cheaper exponential: XNNPACK's rr1-lut16-p3 exactly
// (simd-inl.h EluLut16<false>). Same range reduction, table, polynomial, saturation and
// cancellation-free rebuild as vectorized (so -1e-8 still gives -1e-8), but without adding back
// the table entries' rounding error: one permute and one add fewer per vector, for up to 5 ULP
// on results in [-0.07, -0.02] (absolute error <= 1.5e-7 with alpha = 2, inside the approximate
// class's 2^-22) and <= 1 ULP for x <= -1. Only ELU: ReLU has no exponential to make cheaper.
// Its exact scalar model is elubench::elu_lut16_p3(x, alpha, false).
// For f16/bf16 it is the same kernel as vectorized (simd-inl.h, Expm1Form::kP2): that one is
// already the cheapest that keeps a 16-bit result within 1 ULP.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "fast.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include "cpu_variants.hpp"
#include "parallel.hpp"
#include "simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {

template <Dtype T>
void FastElu(const RunArgs& a) {
  const VF alpha = hn::Set(DF(), a.alpha);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapUnary<T>(a.x, a.y, begin, end, [alpha](DF d, VF x) { return EluLut16SkipPositive<kFastForm<T>>(d, x, alpha); });
  });
}

void FastEluF32(const RunArgs& a) { FastElu<Dtype::f32>(a); }
void FastEluF16(const RunArgs& a) { FastElu<Dtype::f16>(a); }
void FastEluBf16(const RunArgs& a) { FastElu<Dtype::bf16>(a); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(FastEluF32);
HWY_EXPORT(FastEluF16);
HWY_EXPORT(FastEluBf16);

void fast_elu_f32(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(FastEluF32)(a); }
void fast_elu_f16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(FastEluF16)(a); }
void fast_elu_bf16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(FastEluBf16)(a); }

}  // namespace elubench::cpu
#endif
