// cpu/*/fused_bias (forward, every activation): y = act(x + b[col]) for x of rows x cols (row-major) in ONE pass: each
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

template <Activation A, Dtype T>
void FusedBias(const RunArgs& a) {
  const BiasForwardOp<trait_t<A>, kAccurateNeed<T>> op{a.params};
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    MapRowsWithBias<T>(a.x, a.bias, a.y, a.cols, begin, end, op);
  });
}
template <Activation A, Dtype T>
struct FusedBiasFamily {
  static constexpr RunFn run() {
    if constexpr (pass_of<A> == Pass::forward) return &FusedBias<A, T>;
    else return nullptr;
  }
};
RunFn FusedBiasLookup(Activation a, Dtype d) { return rows::kernel_table<FusedBiasFamily>(a, d); }

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {
HWY_EXPORT(FusedBiasLookup);
RunFn fused_bias_kernel(Activation a, Dtype d) { return HWY_DYNAMIC_DISPATCH(FusedBiasLookup)(a, d); }
}  // namespace elubench::cpu
#endif
