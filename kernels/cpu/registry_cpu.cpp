// The CPU half of the registry: one row per (activation, variant, dtype) that exists.
#include "cpu_variants.hpp"
#include "elubench/registry_rows.hpp"

namespace elubench {

namespace {
using namespace rows;

const Row kCpuRows[] = {
    {elu, "naive", f32, ours, accurate, no_bias, 2, cpu::naive_elu_f32, "scalar loop, std::expm1"},
    {elu, "naive", f16, ours, accurate, no_bias, 2, cpu::naive_elu_f16, "scalar loop, std::expm1"},
    {elu, "naive", bf16, ours, accurate, no_bias, 2, cpu::naive_elu_bf16, "scalar loop, std::expm1"},
    {relu, "naive", f32, ours, exact, no_bias, 2, cpu::naive_relu_f32, "scalar loop"},
    {relu, "naive", f16, ours, exact, no_bias, 2, cpu::naive_relu_f16, "scalar loop"},
    {relu, "naive", bf16, ours, exact, no_bias, 2, cpu::naive_relu_bf16, "scalar loop"},
    {elu, "vectorized", f32, ours, accurate, no_bias, 2, cpu::vectorized_elu_f32, "Highway rr1-lut16-p3 expm1 with table correction"},
    {elu, "vectorized", f16, ours, accurate, no_bias, 2, cpu::vectorized_elu_f16, "Highway rr1-lut16-p2 expm1 (enough for f16), F16C conversions"},
    {elu, "vectorized", bf16, ours, accurate, no_bias, 2, cpu::vectorized_elu_bf16, "Highway rr1-lut16-p2 expm1 (enough for bf16), VCVTNEPS2BF16 where present"},
    {relu, "vectorized", f32, ours, exact, no_bias, 2, cpu::vectorized_relu_f32, "Highway SIMD select"},
    {relu, "vectorized", f16, ours, exact, no_bias, 2, cpu::vectorized_relu_f16, "Highway SIMD select, F16C widening"},
    {relu, "vectorized", bf16, ours, exact, no_bias, 2, cpu::vectorized_relu_bf16, "Highway SIMD select, bf16 widening"},
    {elu, "fast", f32, ours, approximate, no_bias, 2, cpu::fast_elu_f32, "Highway rr1-lut16-p3 expm1 (XNNPACK's)"},
    {elu, "fast", f16, ours, approximate, no_bias, 2, cpu::fast_elu_f16, "Highway rr1-lut16-p2 expm1, as vectorized (enough for f16)"},
    {elu, "fast", bf16, ours, approximate, no_bias, 2, cpu::fast_elu_bf16, "Highway rr1-lut16-p2 expm1, as vectorized (enough for bf16)"},
    {elu, "fused_bias", f32, ours, accurate, bias, 2, cpu::fused_bias_elu_f32, "act(x + b[col]) in one SIMD pass"},
    {elu, "fused_bias", f16, ours, accurate, bias, 2, cpu::fused_bias_elu_f16, "act(x + b[col]) in one SIMD pass"},
    {elu, "fused_bias", bf16, ours, accurate, bias, 2, cpu::fused_bias_elu_bf16, "act(x + b[col]) in one SIMD pass"},
    {relu, "fused_bias", f32, ours, exact, bias, 2, cpu::fused_bias_relu_f32, "act(x + b[col]) in one SIMD pass"},
    {relu, "fused_bias", f16, ours, exact, bias, 2, cpu::fused_bias_relu_f16, "act(x + b[col]) in one SIMD pass"},
    {relu, "fused_bias", bf16, ours, exact, bias, 2, cpu::fused_bias_relu_bf16, "act(x + b[col]) in one SIMD pass"},
    {elu, "bias_then_act", f32, ours, accurate, bias, 4, cpu::bias_then_elu_f32, "y = x + b, then act(y) in place"},
    {elu, "bias_then_act", f16, ours, accurate, bias, 4, cpu::bias_then_elu_f16, "y = x + b, then act(y) in place"},
    {elu, "bias_then_act", bf16, ours, accurate, bias, 4, cpu::bias_then_elu_bf16, "y = x + b, then act(y) in place"},
    {relu, "bias_then_act", f32, ours, exact, bias, 4, cpu::bias_then_relu_f32, "y = x + b, then act(y) in place"},
    {relu, "bias_then_act", f16, ours, exact, bias, 4, cpu::bias_then_relu_f16, "y = x + b, then act(y) in place"},
    {relu, "bias_then_act", bf16, ours, exact, bias, 4, cpu::bias_then_relu_bf16, "y = x + b, then act(y) in place"},
#if ELUBENCH_HAVE_ONEDNN
    {elu, "onednn", f32, peer, library, no_bias, 2, cpu::onednn_elu_f32, "oneDNN eltwise_elu forward"},
    {relu, "onednn", f32, peer, library, no_bias, 2, cpu::onednn_relu_f32, "oneDNN eltwise_relu forward"},
#endif
#if ELUBENCH_HAVE_EIGEN
    {elu, "eigen", f32, peer, library, no_bias, 2, cpu::eigen_elu_f32, "Eigen (x < 0).select(exp(x) - 1, x), TensorFlow's formula"},
    {relu, "eigen", f32, peer, library, no_bias, 2, cpu::eigen_relu_f32, "Eigen x.cwiseMax(0), TensorFlow's formula"},
#endif
#if ELUBENCH_HAVE_XNNPACK
    {elu, "xnnpack", f32, peer, library, no_bias, 2, cpu::xnnpack_elu_f32, "XNNPACK ELU operator (xnn_create_elu_nc_f32)"},
    {relu, "xnnpack", f32, peer, library, no_bias, 2, cpu::xnnpack_relu_f32, "XNNPACK clamp operator, [0, +inf]"},
    {relu, "xnnpack", f16, peer, library, no_bias, 2, cpu::xnnpack_relu_f16, "XNNPACK clamp operator, [0, +inf]"},
#endif
#if ELUBENCH_HAVE_SLEEF
    // Its description, naming the ISA chosen at run time, is filled in by add_cpu_variants.
    {elu, "sleef", f32, peer, accurate, no_bias, 2, cpu::sleef_elu_f32, "SLEEF"},
#endif
    {copy, "memcpy", f32, ceiling, exact, no_bias, 2, cpu::memcpy_f32, "std::memcpy: a CPU copy ceiling"},
    {copy, "memcpy", f16, ceiling, exact, no_bias, 2, cpu::memcpy_f16, "std::memcpy: a CPU copy ceiling"},
    {copy, "memcpy", bf16, ceiling, exact, no_bias, 2, cpu::memcpy_bf16, "std::memcpy: a CPU copy ceiling"},
    // The ceiling of a cell is the fastest of these copies in the same run (derive_metrics).
    {copy, "vectorized", f32, ceiling, exact, no_bias, 2, cpu::copy_vectorized_f32, "Highway SIMD load/store copy, no math"},
    {copy, "vectorized", f16, ceiling, exact, no_bias, 2, cpu::copy_vectorized_f16, "Highway SIMD load/store copy, no math"},
    {copy, "vectorized", bf16, ceiling, exact, no_bias, 2, cpu::copy_vectorized_bf16, "Highway SIMD load/store copy, no math"},
    {copy, "nontemporal", f32, ceiling, exact, no_bias, 2, cpu::copy_nontemporal_f32, "Highway SIMD copy, non-temporal stores"},
    {copy, "nontemporal", f16, ceiling, exact, no_bias, 2, cpu::copy_nontemporal_f16, "Highway SIMD copy, non-temporal stores"},
    {copy, "nontemporal", bf16, ceiling, exact, no_bias, 2, cpu::copy_nontemporal_bf16, "Highway SIMD copy, non-temporal stores"},
};
}  // namespace

void add_cpu_variants(std::vector<Variant>& out) {
  rows::append(Device::cpu, kCpuRows, out);
#if ELUBENCH_HAVE_SLEEF
  for (Variant& v : out)
    if (v.variant == "sleef") v.description = cpu::sleef_elu_description();
#endif
}

}  // namespace elubench
