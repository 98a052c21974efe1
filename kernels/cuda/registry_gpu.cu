// The GPU half of the registry: one row per variant family (expanded to every (activation, dtype)
// its lookup has a kernel for) and the single copy rows.
// Absent on purpose (the lookups return nullptr): half2 for f32 and for activations other than
// ELU and ReLU (no packed form), fast where the trait has no cheaper form, the bias families and
// the peers for backward rows, cudnn for bf16 (not in the legacy activation API) and for
// activations without a cuDNN mode, cudnn altogether when cuDNN was not found, cub and thrust
// where the CCCL is older than the features they need (gpu::left_out_variants says why).
#include "elubench/gpu.hpp"
#include "elubench/registry_rows.hpp"
#include "families.cuh"
#include "gpu_variants.cuh"

namespace elubench {

namespace {
using namespace rows;
namespace g = gpu_variants;
namespace c = cuda;

const Family kGpuFamilies[] = {
    {c::Naive::name, ours, accurate, no_bias, 1, g::naive, "one element per thread, scalar loads, libm math (expm1f, expf, erff)"},
    {c::Vectorized::name, ours, accurate, no_bias, 1, g::vectorized,
     "16-byte accesses, 4 loads in flight per thread, one wave of blocks, branch-free degree-6 expm1"},
    {c::FusedBias::name, ours, accurate, bias, 1, g::fused_bias, "y = act(x + b[col]) in one vectorized pass"},
    {c::BiasThenAct::name, ours, accurate, bias, 2, g::bias_then_act, "bias-add kernel, then the activation in place: two passes"},
    {c::Half2::name, ours, approximate, no_bias, 1, g::half2,
     "packed __half2 / __nv_bfloat162 math, ex2.approx.f16x2 (bf16x2 on sm_90)"},
    {c::Fast::name, ours, approximate, no_bias, 1, g::fast, "vectorized, exp2 + degree-5 polynomial expm1"},
    {"cub", peer, accurate, no_bias, 1, g::cub_transform, "cub::DeviceTransform::Transform, the vectorized math as functor"},
    {"thrust", peer, accurate, no_bias, 1, g::thrust_transform,
     "thrust::transform, par_nosync, proclaim_copyable_arguments, the vectorized math as functor"},
#if defined(ELUBENCH_HAVE_CUDNN)
    {"cudnn", peer, library, no_bias, 1, g::cudnn_activation, "cudnnActivationForward in the trait's cudnn mode"},
#endif
};

// The copy ceilings, one row per dtype, from the same lookups.
std::vector<Row> copy_rows() {
  std::vector<Row> out;
  for (Dtype d : {f32, f16, bf16}) {
    out.push_back({copy, "memcpy", d, ceiling, exact, no_bias, 2, g::copy_memcpy(copy, d), "cudaMemcpyAsync device to device"});
    out.push_back({copy, c::CopyVectorized::name, d, ceiling, exact, no_bias, 2, g::copy_vectorized(copy, d),
                   "the vectorized kernel, no math"});
  }
  return out;
}
}  // namespace

namespace gpu {
std::vector<std::string> left_out_variants() {
  std::vector<std::string> out;
  if (const std::string why = g::cub_transform_left_out(); !why.empty()) out.push_back("gpu/*/cub/*: " + why);
  if (const std::string why = g::thrust_transform_left_out(); !why.empty()) out.push_back("gpu/*/thrust/*: " + why);
  return out;
}
}  // namespace gpu

void add_gpu_variants(std::vector<Variant>& out) {
  rows::append(Device::gpu, kGpuFamilies, out);
  rows::append(Device::gpu, copy_rows(), out);
}

}  // namespace elubench
