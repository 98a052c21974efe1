// The one switch over activations and dtypes on the GPU side, in plain C++ (the cuDNN loader,
// a host .cpp, uses it too).
#pragma once

#include <stdexcept>

#include "elubench/registry.hpp"

namespace elubench::cuda {

// The compile-time pair a dispatch hands to its function (an argument, so that a generic lambda
// deduces it: []<class P>(P) { ... P::activation ... }).
template <Activation A, Dtype D> struct Pair {
  static constexpr Activation activation = A;
  static constexpr Dtype dtype = D;
};

// f(Pair<A, D>{}) for the run-time pair (a, d): the one switch over activations and dtypes on the
// GPU side, generated from activation_list.hpp, so it is exhaustive by construction (each
// lookup then decides per pair at compile time).
template <Activation A, class F> decltype(auto) dispatch_dtype(Dtype d, F& f) {
  switch (d) {
    case Dtype::f32: return f(Pair<A, Dtype::f32>{});
    case Dtype::f16: return f(Pair<A, Dtype::f16>{});
    case Dtype::bf16: return f(Pair<A, Dtype::bf16>{});
  }
  throw std::logic_error("dispatch: not a Dtype");
}
template <class F> decltype(auto) dispatch(Activation a, Dtype d, F&& f) {
  switch (a) {
#define EB_DISPATCH(id, Trait)                                                  \
  case Activation::id: return dispatch_dtype<Activation::id>(d, f);             \
  case Activation::id##_backward: return dispatch_dtype<Activation::id##_backward>(d, f);
    ELUBENCH_ACTIVATIONS(EB_DISPATCH)
#undef EB_DISPATCH
    case Activation::copy: return dispatch_dtype<Activation::copy>(d, f);
  }
  throw std::logic_error("dispatch: not an Activation");
}

}  // namespace elubench::cuda
