// The CUDA variant families built from our own bodies: for each, its variant name, which
// (activation, dtype) pairs it has, and the bodies one call runs in launch order. Host and device
// code: the kernel files launch these bodies (launch.cuh), the registry names its rows from them
// (registry_gpu.cu), and the host simulation (tests/test_cuda_bodies.cu) runs the very same
// bodies over simulated grids, all through ELUBENCH_GPU_BODY_FAMILIES and dispatch() (dispatch.hpp): a
// new activation in activation_list.hpp appears in every family that accepts it, with no line
// here. The library peers (cub, thrust, cudnn) and the driver copy have no body of ours; their
// files dispatch the same way.
#pragma once

#include "bodies/bias_then_act.cuh"
#include "bodies/common.cuh"
#include "bodies/copy.cuh"
#include "bodies/fast.cuh"
#include "bodies/fused_bias.cuh"
#include "bodies/half2.cuh"
#include "bodies/naive.cuh"
#include "bodies/vectorized.cuh"
#include "dispatch.hpp"

namespace elubench::cuda {

// The kernels (bodies) of one call, launched in this order on one stream.
template <class... Body> struct Bodies {};

// A forward activation whose trait has a cheaper approximate form (fast).
template <Activation A> constexpr bool has_fast_form() {
  if constexpr (is_forward_act<A>) return trait_t<A>::has_fast_form;
  else return false;
}

struct Naive {
  static constexpr const char* name = "naive";
  template <Activation A, Dtype D> static constexpr bool has = A != Activation::copy;
  template <Activation A> using bodies = Bodies<naive<tag_t<A>>>;
};
struct Vectorized {
  static constexpr const char* name = "vectorized";
  template <Activation A, Dtype D> static constexpr bool has = A != Activation::copy;
  template <Activation A> using bodies = Bodies<vectorized<tag_t<A>>>;
};
struct FusedBias {
  static constexpr const char* name = "fused_bias";
  template <Activation A, Dtype D> static constexpr bool has = is_forward_act<A>;
  template <Activation A> using bodies = Bodies<fused_bias<tag_t<A>>>;
};
struct BiasThenAct {
  static constexpr const char* name = "bias_then_act";
  template <Activation A, Dtype D> static constexpr bool has = is_forward_act<A>;
  template <Activation A> using bodies = Bodies<bias_add, act_in_place<tag_t<A>>>;
};
struct Fast {
  static constexpr const char* name = "fast";
  template <Activation A, Dtype D> static constexpr bool has = has_fast_form<A>();
  template <Activation A> using bodies = Bodies<fast<tag_t<A>>>;
};
// ELU and ReLU in packed 16-bit math only: the other activations have no rows here.
struct Half2 {
  static constexpr const char* name = "half2";
  template <Activation A, Dtype D> static constexpr bool has = has_half2_form<A> && D != Dtype::f32;
  template <Activation A> using bodies = Bodies<half2<tag_t<A>>>;
};
// The copy ceiling with the streaming engine's access pattern (a single row per dtype in the
// registry, gpu/copy/vectorized/*; simulated like the families).
struct CopyVectorized {
  static constexpr const char* name = "vectorized";
  template <Activation A, Dtype D> static constexpr bool has = A == Activation::copy;
  template <Activation A> using bodies = Bodies<copy_bits>;
};

// Every family of our own bodies (the registry's Family rows and the copy ceiling row), for the
// host simulation's map and its completeness test.
#define ELUBENCH_GPU_BODY_FAMILIES(X) X(Naive) X(Vectorized) X(FusedBias) X(BiasThenAct) X(Fast) X(Half2) X(CopyVectorized)

}  // namespace elubench::cuda
