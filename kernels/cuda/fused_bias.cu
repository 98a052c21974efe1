// gpu/*/fused_bias: y = act(x + b[col]) in one pass over x (x is rows x cols, b has cols
// elements). The vectorized kernel's access pattern with the bias added in float before the
// activation; against bias_then_act it saves a full write and re-read of the tensor. Every
// forward activation.
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn fused_bias(Activation a, Dtype d) { return cuda::family_lookup<cuda::FusedBias>(a, d); }

}  // namespace elubench::gpu_variants
