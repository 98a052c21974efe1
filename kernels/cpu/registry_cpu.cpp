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
    // XNNPACK picks its microkernels once, from cpuinfo, at xnn_initialize: the widest the CPU has.
    {elu, "xnnpack", f32, peer, library, no_bias, 2, cpu::xnnpack_elu_f32,
     "XNNPACK ELU operator (xnn_create_elu_nc_f32); its own dispatch (cpuinfo), which --simd does not pin"},
    {relu, "xnnpack", f32, peer, library, no_bias, 2, cpu::xnnpack_relu_f32,
     "XNNPACK clamp operator, [0, +inf]; its own dispatch (cpuinfo), which --simd does not pin"},
    {relu, "xnnpack", f16, peer, library, no_bias, 2, cpu::xnnpack_relu_f16,
     "XNNPACK clamp operator, [0, +inf]; its own dispatch (cpuinfo), which --simd does not pin"},
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
// "; expm1 <form> on <target>" for our SIMD rows whose activation has an expm1 (kernels/cpu/expm1-inl.h
// picks one per target, dtype and variant); empty for the others.
std::string expm1_form_suffix(const Variant& v, const std::string& target) {
  if (v.device != Device::cpu || v.kind != Kind::kernel || v.variant == "naive") return {};
  if (v.activation == Activation::copy || v.is_backward()) return {};
  if (!visit_activation(v.activation, []<class T, Pass>() { return std::string_view(T::math) == "expm1"; })) return {};
  const cpu::Expm1Need need = v.dtype == Dtype::f16    ? cpu::Expm1Need::f16
                              : v.dtype == Dtype::bf16 ? cpu::Expm1Need::bf16
                              : v.variant == "fast"    ? cpu::Expm1Need::fast_f32
                                                       : cpu::Expm1Need::accurate_f32;
  const char* form = cpu::with_target(target, [&] { return cpu::expm1_form_name(need); });
  return std::string("; expm1 ") + form + " on " + target;
}

const rows::Family* family_of(const Variant& v) {
  if (v.device == Device::cpu && v.kind == Kind::kernel)
    for (const rows::Family& f : kCpuFamilies)
      if (v.variant == f.variant) return &f;
  return nullptr;
}
}  // namespace

void add_cpu_variants(std::vector<Variant>& out) {
  cpu::apply_simd_target_env();  // before the families' kernels are dispatched
  const std::size_t first = out.size();
  rows::append(Device::cpu, kCpuFamilies, out);
  const std::string target = cpu::simd_target();
  for (std::size_t i = first; i < out.size(); ++i) out[i].description += expm1_form_suffix(out[i], target);
  rows::append(Device::cpu, kCpuRows, out);
#if ELUBENCH_HAVE_SLEEF
  for (Variant& v : out)
    if (v.variant == "sleef") v.description = cpu::sleef_elu_description();
#endif
#if ELUBENCH_HAVE_ONEDNN
  for (Variant& v : out)
    if (v.variant == "onednn") v.description += cpu::onednn_dispatch_note();
#endif
}

RunFn cpu::kernel_for_target(const Variant& v, std::string_view target) {
  if (const rows::Family* f = family_of(v)) return with_target(target, [&] { return f->kernel(v.activation, v.dtype); });
  throw std::invalid_argument("kernel_for_target: " + v.name + " is not one of our CPU families");
}

bool cpu::is_simd_target_name(std::string_view name) { return is_target_name(name); }

bool cpu::has_target_code(const Variant& v) { return family_of(v) != nullptr && v.variant != "naive"; }

Variant cpu::variant_for_target(const Variant& v, std::string_view target) {
  Variant out = v;
  out.kernel = kernel_for_target(v, target);
  // The registry's description ends with the dispatched target's form (add_cpu_variants).
  const std::size_t dispatched = expm1_form_suffix(v, cpu::simd_target()).size();
  out.description = v.description.substr(0, v.description.size() - dispatched) + expm1_form_suffix(v, std::string(target));
  return out;
}

}  // namespace elubench
