// What the C++ test files share: the edge values every variant must get right, every 16-bit
// pattern for the exhaustive checks, and readable CTest names for registry-driven suites.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench {
// GoogleTest prints a parameter in CTest's test names; without this a variant shows as its
// address ("GetParam() = 0x5624..."), with it as its registry name.
inline void PrintTo(const Variant* v, std::ostream* os) { *os << v->name; }
}  // namespace elubench

namespace elubench::test_support {

// XNNPACK's ELU operator refuses an alpha that is not a positive normal float
// (xnn_create_elu_nc_f32 returns xnn_status_invalid_parameter, so alpha = 0 cannot run): the
// refusal is asserted where it matters (test_variants.cpp, test_peers.cpp), and there is
// nothing to check.
inline bool known_peer_refuses_alpha(const Variant& v, float alpha) {
  return v.variant == "xnnpack" && v.activation == Activation::elu && !(std::isnormal(alpha) && alpha > 0);
}

inline ActivationParams with_alpha(float alpha) {
  ActivationParams p;
  p.value[Elu::kAlpha] = alpha;
  return p;
}
// The tests move every parameter an activation declares with one knob k: k = 1 gives the
// defaults, another k each default times k, kept inside the declared range (ELU's alpha = k,
// Leaky ReLU's slope = 0.01 k, so k = 0 reaches alpha = 0 and slope = 0).
inline ActivationParams params_for(const Variant& v, float k) {
  ActivationParams p = default_params(v.activation);
  const auto specs = v.params();
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (k != 1.0f) p.value[i] = std::clamp(specs[i].default_value * k, specs[i].min, specs[i].max);
  return p;
}
// "alpha=0.5 ..." for failure messages: the parameters v declares and their values.
inline std::string describe(const Variant& v, const ActivationParams& p) {
  std::string s;
  const auto specs = v.params();
  for (std::size_t i = 0; i < specs.size(); ++i)
    s += std::string(i ? " " : "") + specs[i].name + "=" + std::to_string(p[static_cast<int>(i)]);
  return s.empty() ? "no parameters" : s;
}
// The parameters a variant is tested with: params_for each k in ks where its activation
// declares parameters (distinct values only), the (empty) defaults otherwise.
inline std::vector<ActivationParams> param_sweep(const Variant& v, std::vector<float> ks = {0.0f, 0.5f, 1.0f, 2.0f}) {
  if (v.params().empty()) return {default_params(v.activation)};
  std::vector<ActivationParams> out;
  for (float k : ks)
    if (const auto p = params_for(v, k); std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  return out;
}

// NaN, +-inf, -0.0, subnormals (min and -1e-40), -1e-8 (where exp(x) - 1 cancels to 0),
// saturation around -17.33, large negatives, and values either side of the polynomial's
// range-reduction boundaries.
inline constexpr float kEdges[] = {
    NAN, INFINITY, -INFINITY, -0.0f, 0.0f, -1e-8f, 1e-8f, -17.5f, -17.3f, -30.0f,
    -std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min(), -1e-40f,
    -std::numeric_limits<float>::min(), -1.0f, 1.0f, -0.5f, -87.0f, -200.0f, -6.0e-8f, -1e-4f, -1e-3f,
    -1.0001f, -0.9999f, -0.3465f, -0.3467f};

// Every 16-bit pattern once (n = 65536), as little-endian bytes.
inline std::vector<unsigned char> all_16bit_patterns() {
  std::vector<unsigned char> buf(65536 * 2);
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto v = static_cast<std::uint16_t>(h);
    std::memcpy(buf.data() + 2 * h, &v, 2);
  }
  return buf;
}

// "cpu/elu/vectorized/f32" -> "cpu_elu_vectorized_f32" (GoogleTest names allow no '/').
inline std::string param_name(std::string_view variant_name) {
  std::string s(variant_name);
  for (char& c : s)
    if (c == '/') c = '_';
  return s;
}

}  // namespace elubench::test_support
