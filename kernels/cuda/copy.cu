// gpu/copy/vectorized: the vectorized kernel's exact access pattern with no math: the ceiling
// our own kernels can reach. Compared with gpu/copy/memcpy (the driver's copy engine path) it
// shows how much of the roofline the access pattern itself gives away.
#include "gpu_variants.cuh"
#include "launch.cuh"

namespace elubench::gpu_variants {

RunFn copy_vectorized(Activation a, Dtype d) { return cuda::family_lookup<cuda::CopyVectorized>(a, d); }

}  // namespace elubench::gpu_variants
