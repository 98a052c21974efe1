// cpu/*/fast: vectorized with a cheaper exponential, for the activations whose trait has one
// (has_fast_form: ELU, SELU): XNNPACK's rr1-lut16-p3 exactly (simd-inl.h Expm1Form::kP3). Same range reduction, table, polynomial, saturation and
// cancellation-free rebuild as vectorized (so -1e-8 still gives -1e-8), but without adding back
// the table entries' rounding error: one permute and one add fewer per vector, for up to 5 ULP
// on results in [-0.07, -0.02] (absolute error <= 1.5e-7 with alpha = 2, inside the approximate
// class's 2^-22) and <= 1 ULP for x <= -1. Forward only.
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

template <Activation A, Dtype T>
void Fast(const RunArgs& a) {
  const ForwardOp<trait_t<A>, kFastForm<T>> op{a.params};
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) { MapUnary<T>(a.x, a.y, begin, end, op); });
}
template <Activation A, Dtype T>
struct FastFamily {
  static constexpr RunFn run() {
    if constexpr (pass_of<A> == Pass::forward && trait_t<A>::has_fast_form) return &Fast<A, T>;
    else return nullptr;
  }
};
RunFn FastLookup(Activation a, Dtype d) { return rows::kernel_table<FastFamily>(a, d); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {
HWY_EXPORT(FastLookup);
RunFn fast_kernel(Activation a, Dtype d) { return HWY_DYNAMIC_DISPATCH(FastLookup)(a, d); }
}  // namespace elubench::cpu
#endif
