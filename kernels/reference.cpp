#include "elubench/reference.hpp"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "elubench/activations.hpp"

namespace elubench {

double reference_value(Activation a, double x, const ActivationParams& p) {
  if (a == Activation::copy) return x;
  return visit_activation(forward_of(a), [&]<class T, Pass>() { return T::reference(x, p); });
}

double reference_backward(Activation a, double dy, double saved, const ActivationParams& p) {
  if (!is_backward(a)) throw std::logic_error("reference_backward: not a backward activation");
  return visit_activation(a, [&]<class T, Pass>() { return T::reference_backward(dy, saved, p); });
}

bool saved_is_output(const Variant& v) {
  return v.is_backward() && visit_activation(v.activation, []<class T, Pass>() { return T::saved == Saved::output; });
}

void make_saved_input(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p) {
  const bool output = saved_is_output(v);
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = load_as_float(x, i, v.dtype);
    const double s = output ? reference_value(forward_of(v.activation), xi, p) : xi;
    store_from_float(saved, i, v.dtype, round_to_dtype(s, v.dtype));
  }
}

namespace {
// Maps a value of dtype d onto a line of integers where neighbours differ by 1 and
// +0 / -0 coincide, so a subtraction counts the representable values between two numbers.
std::int64_t ordered(float v, Dtype d) {
  const auto line = [](std::int64_t bits, std::int64_t sign_bit) {
    return (bits & sign_bit) ? -(bits & (sign_bit - 1)) : bits;
  };
  switch (d) {
    case Dtype::f32: return line(float_to_bits(v), std::int64_t{1} << 31);
    case Dtype::f16: return line(float_to_f16(v), 0x8000);
    case Dtype::bf16: return line(float_to_bf16(v), 0x8000);
  }
  throw std::logic_error("ulp_distance: not a Dtype");
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

namespace {
// x + b as the bias variants compute it: in float (the compute type of every dtype), and for a
// two-pass variant (y = x + b is stored, then activated) rounded to the dtype once more. The sum's rounding is the operation's definition, not the activation's
// error: near a cancellation (x = 100, b = -105.2) it alone can move the result by many ULPs.
double bias_sum_as_computed(const Variant& v, double x, double b) {
  const float sum = static_cast<float>(x + b);
  return v.passes == 2 ? round_to_dtype(sum, v.dtype) : sum;
}

// The trait's bound for v's pass (ELU's depends on alpha: bound_other_params, activations/elu.hpp).
Bound trait_bound(const Variant& v, const ActivationParams& p) {
  if (v.activation == Activation::copy) return {.ulp_f32 = 0, .ulp_16 = 0};
  return visit_activation(v.activation, [&]<class T, Pass P>() {
    if constexpr (P == Pass::backward) return T::backward_bound;
    else if constexpr (requires { T::bound_other_params; })
      return p == default_params(v.activation) ? T::bound : T::bound_other_params;
    else return T::bound;
  });
}
}  // namespace

Tolerance tolerance_for(const Variant& v, const ActivationParams& p) {
  const Bound b = trait_bound(v, p);
  const bool f32 = v.dtype == Dtype::f32;
  const double trait_ulp = f32 ? b.ulp_f32 : b.ulp_16;
  // The absolute floor near 0, where exp(x) - 1 cancels or a polynomial meets tiny outputs.
  const double floor_abs = std::ldexp(1.0, -22);
  const double f32_abs = f32 ? floor_abs : 0.0;
  switch (v.accuracy) {
    case Accuracy::exact: return {};
    case Accuracy::accurate: return {.max_ulp = trait_ulp, .max_abs = b.abs};
    case Accuracy::approximate: return {.max_ulp = std::max(4.0, trait_ulp), .max_abs = std::max(f32_abs, b.abs)};
    case Accuracy::library:
      // 16-bit: the same floor as f32 (a library computing exp(x) - 1 in float is a few
      // subnormal ULPs off near 0); it is below one ULP wherever |y| >= 2^-12 (f16).
      if (!f32) return {.max_ulp = std::max(2.0, trait_ulp), .max_abs = std::max(floor_abs, b.abs)};
      return {.max_ulp = std::max(4.0, trait_ulp), .max_abs = std::max(f32_abs, b.abs), .max_rel = 4e-5};
  }
  throw std::logic_error("tolerance_for: not an Accuracy");
}

bool zero_sign_fixed(const Variant& v) {
  if (v.activation == Activation::copy) return true;
  return visit_activation(v.activation, [&]<class T, Pass P>() {
    if constexpr (P == Pass::backward) return false;
    else {
      if (T::zero_sign == ZeroSign::either) return false;
      if constexpr (requires { T::zero_sign_either_peers; })
        for (std::string_view peer : T::zero_sign_either_peers)
          if (v.kind == Kind::peer && v.variant == peer) return false;
      return true;
    }
  });
}

CheckResult check_against_reference(const Variant& v, const void* x, const void* y, std::size_t n,
                                    const ActivationParams& p, const void* bias, std::size_t cols, const void* grad) {
  CheckResult r;
  const Tolerance tol = tolerance_for(v, p);
  const bool backward = v.is_backward(), fixed_zero_sign = zero_sign_fixed(v);
  if (backward && grad == nullptr) throw std::logic_error("check_against_reference: a backward variant needs dy");
  r.checked = n;
  for (std::size_t i = 0; i < n; ++i) {
    double xin = load_as_float(x, i, v.dtype);
    if (v.uses_bias) xin = bias_sum_as_computed(v, xin, load_as_float(bias, i % cols, v.dtype));
    const double dy = backward ? load_as_float(grad, i, v.dtype) : 1.0;
    const double want = backward ? reference_backward(v.activation, dy, xin, p) : reference_value(v.activation, xin, p);
    const double max_abs = tol.max_abs * std::max(1.0, std::fabs(dy));
    const float expected = round_to_dtype(want, v.dtype);
    const float got = load_as_float(y, i, v.dtype);
    const double ulps = ulp_distance(expected, got, v.dtype);
    double abs_err = 0;
    if (std::isfinite(expected) && std::isfinite(got))
      abs_err = std::fabs(static_cast<double>(got) - expected);
    else if (ulps != 0)
      abs_err = std::numeric_limits<double>::infinity();
    if (ulps > r.max_ulp) { r.max_ulp = ulps; r.worst_index = i; }
    if (abs_err > r.max_abs_error) r.max_abs_error = abs_err;
    const bool pass = ulps <= tol.max_ulp || (max_abs > 0 && abs_err <= max_abs) ||
                      (tol.max_rel > 0 && abs_err <= tol.max_rel * std::fabs(static_cast<double>(expected)));
    // At x = +-0 the expected zero's sign is the contract's; elsewhere a zero may have either.
    const bool sign_flipped = fixed_zero_sign && xin == 0 && got == 0 && expected == 0 &&
                              std::signbit(got) != std::signbit(expected);
    if ((!pass || sign_flipped) && r.ok) {
      r.ok = false;
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "%s: element %zu: x=%.9g%s -> got %.9g, expected %.9g (%.0f ULP, abs %.3g; allowed %s%s)",
                    v.name.c_str(), i, static_cast<double>(load_as_float(x, i, v.dtype)),
                    v.uses_bias ? " (+bias)" : backward ? " (saved; dy given)" : "", static_cast<double>(got),
                    static_cast<double>(expected), ulps, abs_err, tol.describe().c_str(),
                    sign_flipped ? "; the sign of zero is part of the contract (docs/activations.md)" : "");
      r.message = buf;
    }
  }
  return r;
}

}  // namespace elubench
