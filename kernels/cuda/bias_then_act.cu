// gpu/*/bias_then_act: the unfused pair a framework runs for Linear + activation without fusion:
// a bias-add kernel writes y = x + b, then the activation kernel rewrites y in place. Both are
// the vectorized kernel's pattern, so against fused_bias the only difference is the second
// pass over memory (4 accesses per element instead of 2) and the rounding of x + b to the
// storage type in between. Every forward activation.
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn bias_then_act(Activation a, Dtype d) { return cuda::family_lookup<cuda::BiasThenAct>(a, d); }

}  // namespace elubench::gpu_variants
