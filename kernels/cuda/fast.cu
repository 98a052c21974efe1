// gpu/*/fast (forward activations whose trait has_fast_form, e.g. ELU): the vectorized kernel
// on FastMath, whose expm1 is a degree-5 polynomial instead of the accurate degree 6 (exp2 from
// exponent bits, expm1 rebuilt as (s - 1) + s*t*(1 + p) so nothing cancels near 0, saturation,
// branch-free): one FMA per element fewer, the approximate class (<= 4 ULP). f16/bf16 too:
// their float math is the same.
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn fast(Activation a, Dtype d) { return cuda::family_lookup<cuda::Fast>(a, d); }

}  // namespace elubench::gpu_variants
