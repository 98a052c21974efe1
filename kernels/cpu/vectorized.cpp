// cpu/*/vectorized: the naive loop made SIMD with Highway, compiled for every x86 target and
// dispatched at run time to the best one this CPU supports (AVX2 here, AVX-512 where present).
// Against naive: 8 or 16 lanes per instruction instead of one, and an own expm1 (simd-inl.h,
// rr1-lut16-p3: range reduction to ln2/32, a 16-entry table of 2^(k/16) looked up by permute, a
// degree-3 polynomial, the table's rounding error added back, cancellation-free rebuild)
// instead of a libm call per element. 16-bit dtypes are widened to float in registers (F16C /
// shifts) and rounded back once (F16C; VCVTNEPS2BF16 where the CPU has AVX512-BF16), with a
// degree-2 polynomial: a 16-bit result needs 11 bits, and the FMA saved pays for the conversions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "vectorized.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include "cpu_variants.hpp"
#include "parallel.hpp"
#include "simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {

template <Dtype T>
void VectorizedElu(const RunArgs& a) {
  const VF alpha = hn::Set(DF(), a.alpha);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    // A vector with no x <= 0 skips the exponential (simd-inl.h, EluLut16SkipPositive).
    MapUnary<T>(a.x, a.y, begin, end, [alpha](DF d, VF x) { return EluLut16SkipPositive<kAccurateForm<T>>(d, x, alpha); });
  });
}

template <Dtype T>
void VectorizedRelu(const RunArgs& a) {
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapUnary<T>(a.x, a.y, begin, end, [](DF d, VF x) { return Relu(d, x); });
  });
}

void VectorizedEluF32(const RunArgs& a) { VectorizedElu<Dtype::f32>(a); }
void VectorizedEluF16(const RunArgs& a) { VectorizedElu<Dtype::f16>(a); }
void VectorizedEluBf16(const RunArgs& a) { VectorizedElu<Dtype::bf16>(a); }
void VectorizedReluF32(const RunArgs& a) { VectorizedRelu<Dtype::f32>(a); }
void VectorizedReluF16(const RunArgs& a) { VectorizedRelu<Dtype::f16>(a); }
void VectorizedReluBf16(const RunArgs& a) { VectorizedRelu<Dtype::bf16>(a); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(VectorizedEluF32);
HWY_EXPORT(VectorizedEluF16);
HWY_EXPORT(VectorizedEluBf16);
HWY_EXPORT(VectorizedReluF32);
HWY_EXPORT(VectorizedReluF16);
HWY_EXPORT(VectorizedReluBf16);

void vectorized_elu_f32(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedEluF32)(a); }
void vectorized_elu_f16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedEluF16)(a); }
void vectorized_elu_bf16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedEluBf16)(a); }
void vectorized_relu_f32(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedReluF32)(a); }
void vectorized_relu_f16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedReluF16)(a); }
void vectorized_relu_bf16(const RunArgs& a) { HWY_DYNAMIC_DISPATCH(VectorizedReluBf16)(a); }

}  // namespace elubench::cpu
#endif
