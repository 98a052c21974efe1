// gpu/*/naive: one element per thread, scalar loads and stores, f16/bf16 computed in float
// with the libm functions (expm1f, expf, erff). What a first CUDA kernel looks like; every other
// variant is measured against it. Every activation, forward and backward (bodies/naive.cuh).
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn naive(Activation a, Dtype d) { return cuda::family_lookup<cuda::Naive>(a, d); }

}  // namespace elubench::gpu_variants
