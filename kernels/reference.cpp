#include "elubench/reference.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "elubench/activations.hpp"

namespace elubench {

double reference_value(Activation a, double x, double alpha) {
  switch (a) {
    case Activation::elu: return elu(x, alpha);
    case Activation::relu: return relu(x);
    case Activation::copy: return x;
  }
  return x;
}

namespace {
// Maps a value of dtype d onto a line of integers where neighbours differ by 1 and
// +0 / -0 coincide, so a subtraction counts the representable values between two numbers.
std::int64_t ordered(float v, Dtype d) {
  std::int64_t bits;
  std::int64_t sign_bit;
  switch (d) {
    case Dtype::f32: bits = bits_of(v); sign_bit = std::int64_t{1} << 31; break;
    case Dtype::f16: bits = float_to_f16(v); sign_bit = 0x8000; break;
    default: bits = float_to_bf16(v); sign_bit = 0x8000; break;
  }
  return (bits & sign_bit) ? -(bits & (sign_bit - 1)) : bits;
}
}  // namespace

double ulp_distance(float expected, float got, Dtype d) {
  const bool en = std::isnan(expected), gn = std::isnan(got);
  if (en || gn) return en && gn ? 0.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(std::llabs(ordered(expected, d) - ordered(got, d)));
}

std::string Tolerance::describe() const {
  if (max_ulp == 0 && max_abs == 0 && max_rel == 0) return "bit-exact";
  char buf[64];
  std::snprintf(buf, sizeof buf, "<= %g ULP", max_ulp);
  std::string s = buf;
  if (max_rel > 0) {
    std::snprintf(buf, sizeof buf, " or rel error <= %g", max_rel);
    s += buf;
  }
  if (max_abs > 0) {
    std::snprintf(buf, sizeof buf, " or abs error <= %g", max_abs);
    s += buf;
  }
  return s;
}

Tolerance tolerance_for(const Variant& v, float alpha) {
  switch (v.accuracy) {
    case Accuracy::exact: return {};
    case Accuracy::accurate:
      if (v.dtype != Dtype::f32) return {.max_ulp = 1};
      return {.max_ulp = (alpha == 1.0f && !v.uses_bias) ? 2.0 : 3.0};
    case Accuracy::approximate:
      return {.max_ulp = 4, .max_abs = v.dtype == Dtype::f32 ? std::ldexp(1.0, -22) : 0.0};
    case Accuracy::library:
      if (v.dtype != Dtype::f32) return {.max_ulp = 2};
      return {.max_ulp = 4, .max_abs = std::ldexp(1.0, -22), .max_rel = 4e-5};
  }
  return {};
}

CheckResult check_against_reference(const Variant& v, const void* x, const void* y, std::size_t n,
                                    float alpha, const void* bias, std::size_t cols) {
  CheckResult r;
  const Tolerance tol = tolerance_for(v, alpha);
  r.checked = n;
  for (std::size_t i = 0; i < n; ++i) {
    double xin = load_as_float(x, i, v.dtype);
    if (v.uses_bias) xin += load_as_float(bias, i % cols, v.dtype);
    const float expected = round_to_dtype(reference_value(v.activation, xin, alpha), v.dtype);
    const float got = load_as_float(y, i, v.dtype);
    const double ulps = ulp_distance(expected, got, v.dtype);
    double abs_err = 0;
    if (std::isfinite(expected) && std::isfinite(got))
      abs_err = std::fabs(static_cast<double>(got) - expected);
    else if (ulps != 0)
      abs_err = std::numeric_limits<double>::infinity();
    if (ulps > r.max_ulp) { r.max_ulp = ulps; r.worst_index = i; }
    if (abs_err > r.max_abs_error) r.max_abs_error = abs_err;
    const bool pass = ulps <= tol.max_ulp || (tol.max_abs > 0 && abs_err <= tol.max_abs) ||
                      (tol.max_rel > 0 && abs_err <= tol.max_rel * std::fabs(static_cast<double>(expected)));
    if (!pass && r.ok) {
      r.ok = false;
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "%s: element %zu: x=%.9g%s -> got %.9g, expected %.9g (%.0f ULP, abs %.3g; allowed %s)",
                    v.name.c_str(), i, static_cast<double>(load_as_float(x, i, v.dtype)),
                    v.uses_bias ? " (+bias)" : "", static_cast<double>(got),
                    static_cast<double>(expected), ulps, abs_err, tol.describe().c_str());
      r.message = buf;
    }
  }
  return r;
}

}  // namespace elubench
