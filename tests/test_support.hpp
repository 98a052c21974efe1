// What the C++ test files share: the edge values every variant must get right, every 16-bit
// pattern for the exhaustive checks, and readable CTest names for registry-driven suites.
#pragma once

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
  p.alpha = alpha;
  return p;
}
// The parameters a variant is tested with: alpha in {0, 0.5, 1, 2} where it reads alpha,
// negative_slope in {0.01, 0.2, 0} where it reads that, the defaults otherwise.
inline std::vector<ActivationParams> param_sweep(const Variant& v, std::vector<float> alphas = {0.0f, 0.5f, 1.0f, 2.0f}) {
  std::vector<ActivationParams> out;
  if (v.uses_alpha()) {
    for (float a : alphas) out.push_back(with_alpha(a));
  } else if (v.uses_negative_slope()) {
    for (float s : {0.01f, 0.2f, 0.0f}) {
      ActivationParams p;
      p.negative_slope = s;
      out.push_back(p);
    }
  } else {
    out.push_back(ActivationParams{});
  }
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
