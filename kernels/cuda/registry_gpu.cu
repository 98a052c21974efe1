// The GPU half of the registry: one row per (activation, variant, dtype) that exists.
// Absent on purpose: half2/f32 (there is no packed f32 math to use), fast/relu (no exponential),
// cudnn/bf16 (not in the legacy activation API), cudnn/* when cuDNN was not found.
#include "elubench/registry_rows.hpp"
#include "gpu_variants.cuh"

namespace elubench {

namespace {
using namespace rows;
namespace g = gpu_variants;

#define EB_ROWS_3(act, name, fn, kind_, acc, bias_, acc_n, desc)  \
  {act, name, f32, kind_, acc, bias_, acc_n, fn<act, f32>, desc}, \
  {act, name, f16, kind_, acc, bias_, acc_n, fn<act, f16>, desc}, \
  {act, name, bf16, kind_, acc, bias_, acc_n, fn<act, bf16>, desc}

const Row kGpuRows[] = {
    EB_ROWS_3(elu, "naive", g::naive, ours, accurate, no_bias, 2, "one element per thread, scalar loads, expm1f"),
    EB_ROWS_3(relu, "naive", g::naive, ours, exact, no_bias, 2, "one element per thread, scalar loads"),
    EB_ROWS_3(elu, "vectorized", g::vectorized, ours, accurate, no_bias, 2,
              "16-byte accesses, 4 loads in flight per thread, one wave of blocks, expm1f"),
    EB_ROWS_3(relu, "vectorized", g::vectorized, ours, exact, no_bias, 2,
              "16-byte accesses, 4 loads in flight per thread, one wave of blocks"),
    EB_ROWS_3(elu, "fused_bias", g::fused_bias, ours, accurate, bias, 2, "y = elu(x + b[col]) in one vectorized pass"),
    EB_ROWS_3(relu, "fused_bias", g::fused_bias, ours, exact, bias, 2, "y = relu(x + b[col]) in one vectorized pass"),
    EB_ROWS_3(elu, "bias_then_act", g::bias_then_act, ours, accurate, bias, 4,
              "bias-add kernel, then elu in place: two passes"),
    EB_ROWS_3(relu, "bias_then_act", g::bias_then_act, ours, exact, bias, 4,
              "bias-add kernel, then relu in place: two passes"),
    {elu, "half2", f16, ours, approximate, no_bias, 2, g::half2<elu, f16>, "packed __half2 math, ex2.approx.f16x2"},
    {elu, "half2", bf16, ours, approximate, no_bias, 2, g::half2<elu, bf16>,
     "packed __nv_bfloat162 math, ex2.approx.bf16x2 on sm_90"},
    {relu, "half2", f16, ours, exact, no_bias, 2, g::half2<relu, f16>, "packed __half2 compare mask"},
    {relu, "half2", bf16, ours, exact, no_bias, 2, g::half2<relu, bf16>, "packed __nv_bfloat162 compare mask"},
    {elu, "fast", f32, ours, approximate, no_bias, 2, g::fast_elu<f32>, "vectorized, exp2 + polynomial expm1"},
    {elu, "fast", f16, ours, approximate, no_bias, 2, g::fast_elu<f16>, "vectorized, exp2 + polynomial expm1"},
    {elu, "fast", bf16, ours, approximate, no_bias, 2, g::fast_elu<bf16>, "vectorized, exp2 + polynomial expm1"},
    EB_ROWS_3(elu, "cub", g::cub_transform, peer, accurate, no_bias, 2, "cub::DeviceTransform::Transform, expm1f functor"),
    EB_ROWS_3(relu, "cub", g::cub_transform, peer, exact, no_bias, 2, "cub::DeviceTransform::Transform"),
    EB_ROWS_3(elu, "thrust", g::thrust_transform, peer, accurate, no_bias, 2,
              "thrust::transform, par_nosync, proclaim_copyable_arguments, expm1f functor"),
    EB_ROWS_3(relu, "thrust", g::thrust_transform, peer, exact, no_bias, 2,
              "thrust::transform, par_nosync, proclaim_copyable_arguments"),
#if defined(ELUBENCH_HAVE_CUDNN)
    {elu, "cudnn", f32, peer, library, no_bias, 2, g::cudnn_activation<elu, f32>, "cudnnActivationForward, ELU"},
    {elu, "cudnn", f16, peer, library, no_bias, 2, g::cudnn_activation<elu, f16>, "cudnnActivationForward, ELU"},
    {relu, "cudnn", f32, peer, library, no_bias, 2, g::cudnn_activation<relu, f32>, "cudnnActivationForward, RELU"},
    {relu, "cudnn", f16, peer, library, no_bias, 2, g::cudnn_activation<relu, f16>, "cudnnActivationForward, RELU"},
#endif
    {copy, "memcpy", f32, ceiling, exact, no_bias, 2, g::copy_memcpy<f32>, "cudaMemcpyAsync device to device"},
    {copy, "memcpy", f16, ceiling, exact, no_bias, 2, g::copy_memcpy<f16>, "cudaMemcpyAsync device to device"},
    {copy, "memcpy", bf16, ceiling, exact, no_bias, 2, g::copy_memcpy<bf16>, "cudaMemcpyAsync device to device"},
    {copy, "vectorized", f32, ceiling, exact, no_bias, 2, g::copy_vectorized<f32>, "the vectorized kernel, no math"},
    {copy, "vectorized", f16, ceiling, exact, no_bias, 2, g::copy_vectorized<f16>, "the vectorized kernel, no math"},
    {copy, "vectorized", bf16, ceiling, exact, no_bias, 2, g::copy_vectorized<bf16>, "the vectorized kernel, no math"},
};
#undef EB_ROWS_3
}  // namespace

void add_gpu_variants(std::vector<Variant>& out) { rows::append(Device::gpu, kGpuRows, out); }

}  // namespace elubench
