// The CPU half of the registry: the families of our kernels, then the single rows.
#include <stdexcept>
#include <string>

#include "cpu_variants.hpp"
#include "elubench/cpu.hpp"
#include "elubench/registry_rows.hpp"
#include "simd_targets.hpp"

namespace elubench {

namespace {
using namespace rows;

// Our kernels: one row per family, expanded to every (activation, dtype) it has a kernel for.
const Family kCpuFamilies[] = {
    {"naive", ours, accurate, no_bias, 1, cpu::naive_kernel, "scalar loop, libm (std::expm1, std::exp, std::erf)"},
    {"vectorized", ours, accurate, no_bias, 1, cpu::vectorized_kernel,
     "Highway SIMD dispatched at run time; own expm1 per SIMD target, Highway exp, rational erf; "
     "F16C / VCVTNE2PS2BF16 conversions"},
    {"fast", ours, approximate, no_bias, 1, cpu::fast_kernel, "vectorized with a cheaper f32 expm1 (XNNPACK's accuracy class)"},
    {"fused_bias", ours, accurate, bias, 1, cpu::fused_bias_kernel, "act(x + b[col]) in one SIMD pass"},
    {"bias_then_act", ours, accurate, bias, 2, cpu::bias_then_act_kernel, "y = x + b, then act(y) in place"},
};

// Library peers and the copy ceilings: one row each.
const Row kCpuRows[] = {
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
// Our SIMD rows whose activation has an expm1 name the form the dispatched target runs for them
// (kernels/cpu/expm1-inl.h picks one per target, dtype and variant).
void name_expm1_forms(std::vector<Variant>& out) {
  const std::string target = cpu::simd_target();
  for (Variant& v : out) {
    if (v.device != Device::cpu || v.kind != Kind::kernel || v.variant == "naive") continue;
    if (v.activation == Activation::copy || v.is_backward()) continue;
    if (!visit_activation(v.activation, []<class T, Pass>() { return std::string_view(T::math) == "expm1"; })) continue;
    const cpu::Expm1Need need = v.dtype == Dtype::f16    ? cpu::Expm1Need::f16
                                : v.dtype == Dtype::bf16 ? cpu::Expm1Need::bf16
                                : v.variant == "fast"    ? cpu::Expm1Need::fast_f32
                                                         : cpu::Expm1Need::accurate_f32;
    v.description += std::string("; expm1 ") + cpu::expm1_form_name(need) + " on " + target;
  }
}
}  // namespace

void add_cpu_variants(std::vector<Variant>& out) {
  cpu::apply_simd_target_env();  // before the families' kernels are dispatched
  rows::append(Device::cpu, kCpuFamilies, out);
  name_expm1_forms(out);
  rows::append(Device::cpu, kCpuRows, out);
#if ELUBENCH_HAVE_SLEEF
  for (Variant& v : out)
    if (v.variant == "sleef") v.description = cpu::sleef_elu_description();
#endif
}

RunFn cpu::kernel_for_target(const Variant& v, std::string_view target) {
  if (v.device == Device::cpu && v.kind == Kind::kernel)
    for (const rows::Family& f : kCpuFamilies)
      if (v.variant == f.variant) return with_target(target, [&] { return f.kernel(v.activation, v.dtype); });
  throw std::invalid_argument("kernel_for_target: " + v.name + " is not one of our CPU families");
}

}  // namespace elubench
