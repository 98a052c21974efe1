// gpu/{elu,relu}/half2 (f16, bf16): the vectorized kernel with the math kept in packed 16-bit
// registers: __half2 / __nv_bfloat162 multiply, fma and compare do two lanes per instruction,
// exp2 is one ex2.approx.f16x2 (bf16x2 on sm_90) per pair, and nothing is widened to float.
// Faster where the float math (not memory) is the limit; less exact (<= 4 ULP, see the body).
// ELU and ReLU only: the other activations have no packed form here (the lookup gives nullptr).
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn half2(Activation a, Dtype d) { return cuda::family_lookup<cuda::Half2>(a, d); }

}  // namespace elubench::gpu_variants
