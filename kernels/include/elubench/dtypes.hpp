// Storage types. f16 and bf16 are stored as 16-bit patterns (std::uint16_t on the host side of
// the API, __half / __nv_bfloat16 inside CUDA kernels) and computed in float unless a variant
// says otherwise. The scalar conversions here round to nearest even, as hardware does; the CPU
// variants use them for their scalar tails and the reference uses them for its single rounding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "elubench/activations.hpp"  // float_to_bits, bits_to_float: the one bit cast

namespace elubench {

enum class Dtype { f32, f16, bf16 };

// Every switch over Dtype names all three (no default): -Werror=switch makes a new dtype a
// compile error in each of them, never a silent "2 bytes" or "bf16".
constexpr std::size_t dtype_size(Dtype d) {
  switch (d) {
    case Dtype::f32: return 4;
    case Dtype::f16: return 2;
    case Dtype::bf16: return 2;
  }
  return 0;  // unreachable for a valid Dtype
}

constexpr std::string_view to_string(Dtype d) {
  switch (d) {
    case Dtype::f32: return "f32";
    case Dtype::f16: return "f16";
    case Dtype::bf16: return "bf16";
  }
  return "?";
}
std::optional<Dtype> parse_dtype(std::string_view s);


// IEEE binary16 -> float, exact (subnormals, inf and NaN included).
float f16_to_float(std::uint16_t h);
// float -> IEEE binary16, round to nearest even; overflow to inf; NaN stays (quiet) NaN.
std::uint16_t float_to_f16(float f);
// bfloat16 is the top half of a float: widening is a shift.
inline float bf16_to_float(std::uint16_t b) { return bits_to_float(std::uint32_t{b} << 16); }
// float -> bfloat16, round to nearest even; NaN stays (quiet) NaN.
std::uint16_t float_to_bf16(float f);

// Round a double once to the storage type and return it as a float (exact for all three
// types). Goes through float with round-to-odd so the second rounding cannot double-round.
float round_to_dtype(double v, Dtype d);

// How a dtype is stored on the host side of the API, and its scalar widening/narrowing with
// the dtype fixed at compile time (for loops that must not switch on the dtype per element).
template <Dtype D>
using host_storage_t = std::conditional_t<D == Dtype::f32, float, std::uint16_t>;

template <Dtype D>
inline float widen(host_storage_t<D> v) {
  if constexpr (D == Dtype::f32) return v;
  else if constexpr (D == Dtype::f16) return f16_to_float(v);
  else {
    static_assert(D == Dtype::bf16, "widen: a dtype without a case");
    return bf16_to_float(v);
  }
}
template <Dtype D>
inline host_storage_t<D> narrow(float v) {
  if constexpr (D == Dtype::f32) return v;
  else if constexpr (D == Dtype::f16) return float_to_f16(v);
  else {
    static_assert(D == Dtype::bf16, "narrow: a dtype without a case");
    return float_to_bf16(v);
  }
}

// Element i of a buffer of dtype d, widened to float.
float load_as_float(const void* p, std::size_t i, Dtype d);
// Store v (already representable, or rounded to nearest even) into element i.
void store_from_float(void* p, std::size_t i, Dtype d, float v);

}  // namespace elubench
