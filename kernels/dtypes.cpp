#include "elubench/dtypes.hpp"

#include <cmath>

namespace elubench {

std::optional<Dtype> parse_dtype(std::string_view s) {
  for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16})
    if (to_string(d) == s) return d;
  return std::nullopt;
}

float f16_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu;
  std::uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return bits_to_float(sign | 0x7F800000u | (mant << 13));  // inf / NaN
  if (exp != 0) return bits_to_float(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return bits_to_float(sign);  // +-0
  // Subnormal: value = mant * 2^-24, exactly representable as a normal float.
  const float v = std::ldexp(static_cast<float>(mant), -24);
  return sign ? -v : v;
}

std::uint16_t float_to_f16(float f) {
  const std::uint32_t u = float_to_bits(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t abs = u & 0x7FFFFFFFu;
  if (abs > 0x7F800000u) return sign | 0x7E00u | static_cast<std::uint16_t>((abs >> 13) & 0x3FFu);
  if (abs >= 0x477FF000u) return sign | 0x7C00u;  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {
    // Result is subnormal or zero in f16: value / 2^-24 rounded to an integer, nearest even.
    const float scaled = std::fabs(f) * 16777216.0f;  // exact: power-of-two scaling
    const float r = std::nearbyint(scaled);           // default rounding mode: nearest even
    return sign | static_cast<std::uint16_t>(r);      // r == 1024 becomes the smallest normal
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
  std::uint32_t h = ((abs - 0x38000000u) >> 13);
  const std::uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;  // may carry into the exponent: correct
  return sign | static_cast<std::uint16_t>(h);
}

std::uint16_t float_to_bf16(float f) {
  const std::uint32_t u = float_to_bits(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
  const std::uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>((u + rounding) >> 16);
}

float round_to_dtype(double v, Dtype d) {
  float f = static_cast<float>(v);
  if (d == Dtype::f32 || std::isnan(v) || std::isinf(f)) return f;
  // Round to odd: if the conversion was inexact, force the last bit to 1 by moving toward v.
  // 29 - 11 extra bits then make the second rounding to 16 bits exact.
  if (static_cast<double>(f) != v && (float_to_bits(f) & 1u) == 0) {
    const bool toward_larger_magnitude = std::fabs(v) > std::fabs(static_cast<double>(f));
    f = bits_to_float(float_to_bits(f) + (toward_larger_magnitude ? 1u : std::uint32_t(-1)));
  }
  return d == Dtype::f16 ? f16_to_float(float_to_f16(f)) : bf16_to_float(float_to_bf16(f));
}

float load_as_float(const void* p, std::size_t i, Dtype d) {
  switch (d) {
    case Dtype::f32: return static_cast<const float*>(p)[i];
    case Dtype::f16: return f16_to_float(static_cast<const std::uint16_t*>(p)[i]);
    case Dtype::bf16: return bf16_to_float(static_cast<const std::uint16_t*>(p)[i]);
  }
  return 0.0f;
}

void store_from_float(void* p, std::size_t i, Dtype d, float v) {
  switch (d) {
    case Dtype::f32: static_cast<float*>(p)[i] = v; break;
    case Dtype::f16: static_cast<std::uint16_t*>(p)[i] = float_to_f16(v); break;
    case Dtype::bf16: static_cast<std::uint16_t*>(p)[i] = float_to_bf16(v); break;
  }
}

}  // namespace elubench
