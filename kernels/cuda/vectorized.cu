// gpu/*/vectorized: against naive, every access is 16 bytes (4 floats / 8 halves: a quarter or
// an eighth of the memory instructions), each thread keeps kUnroll such loads in flight before
// it computes (latency hidden by the thread itself, not only by occupancy), and the grid is
// one wave of the blocks this kernel keeps resident (occupancy API x SM count) with a
// grid-stride loop, so no block is launched that does not stream. Any alignment (scalar head,
// or scalar fallback when the tensors cannot all be aligned) and any n (the last partial step
// runs the same wide code bounds-checked, then a scalar tail under 16 bytes). The math is
// AccurateMath: ELU's expm1 is the branch-free degree-6 polynomial, not naive's expm1f.
// Every activation, forward and backward (a backward streams the saved tensor and dy).
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn vectorized(Activation a, Dtype d) { return cuda::family_lookup<cuda::Vectorized>(a, d); }

}  // namespace elubench::gpu_variants
