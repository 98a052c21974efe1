// cpu/*/fast: vectorized with a cheaper f32 expm1, for the activations whose trait has one
// (has_fast_form: ELU, SELU), in XNNPACK's accuracy class: a table of 2^(k/L) whose entries'
// rounding error is left in (up to 5 ULP on results in [-0.07, -0.02], an absolute error
// <= 1.5e-7 with alpha = 2, inside the approximate class's 2^-22; <= 1 ULP for x <= -1), with a
// shorter polynomial: rr1-lut16-p3 on AVX-512 (XNNPACK's own kernel there), rr1-lut8-p4 on AVX2
// (one permute), expm1-inl.h. Same saturation and cancellation-free rebuild as vectorized, so
// -1e-8 still gives -1e-8. Forward only. f16/bf16 run vectorized's kernel: that one is already
// the cheapest that keeps a 16-bit result within 1 ULP.
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
  const ForwardOp<trait_t<A>, kFastNeed<T>> op{a.params};
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
