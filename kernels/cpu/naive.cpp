// cpu/*/naive: the plain scalar loop a newcomer would write, one element at a time through the
// trait's math on libm (LibmMath: std::expm1, std::exp, std::erf), forward and backward. The
// baseline every other CPU variant beats. The dtype is a template parameter so that the loop is
// as plain as it looks: the compiler may auto-vectorize the ReLU loop (that is what a plain loop
// gets), never a libm call.
#include "cpu_variants.hpp"

#include "elubench/math_backends.hpp"
#include "elubench/registry_rows.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

namespace {
template <Activation A, Dtype D>
void run_naive(const RunArgs& a) {
  using T = trait_t<A>;
  const auto* x = static_cast<const host_storage_t<D>*>(a.x);
  const auto* dy = static_cast<const host_storage_t<D>*>(a.grad);
  auto* y = static_cast<host_storage_t<D>*>(a.y);
  const ActivationParams p = a.params;
  parallel_for(a.n, a.threads, [=](std::size_t begin, std::size_t end) {
    const LibmMath m;
    for (std::size_t i = begin; i < end; ++i) {
      if constexpr (pass_of<A> == Pass::forward) y[i] = narrow<D>(T::forward(m, widen<D>(x[i]), p));
      else y[i] = narrow<D>(T::backward(m, widen<D>(dy[i]), widen<D>(x[i]), p));
    }
  });
}

template <Activation A, Dtype D>
struct NaiveFamily {
  static constexpr RunFn run() { return &run_naive<A, D>; }
};
}  // namespace

// Every activation, both passes, every dtype.
RunFn naive_kernel(Activation a, Dtype d) { return rows::kernel_table<NaiveFamily>(a, d); }

}  // namespace elubench::cpu
