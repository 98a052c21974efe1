// cpu/*/bias_then_act (forward, every activation): the unfused reference for fused_bias. Pass 1 writes y = x + b[col]
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

template <Activation A, Dtype T>
void BiasThenAct(const RunArgs& a) {
  AddBias<T>(a);
  const ForwardOp<trait_t<A>, kAccurateNeed<T>> op{a.params};
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) { MapUnary<T>(a.y, a.y, begin, end, op); });
}
template <Activation A, Dtype T>
struct BiasThenActFamily {
  static constexpr RunFn run() {
    if constexpr (pass_of<A> == Pass::forward) return &BiasThenAct<A, T>;
    else return nullptr;
  }
};
RunFn BiasThenActLookup(Activation a, Dtype d) { return rows::kernel_table<BiasThenActFamily>(a, d); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {
HWY_EXPORT(BiasThenActLookup);
RunFn bias_then_act_kernel(Activation a, Dtype d) { return HWY_DYNAMIC_DISPATCH(BiasThenActLookup)(a, d); }
}  // namespace elubench::cpu
#endif
