// The float64 reference and the one checker that the tests and the bench binary share.
// Reference: compute the activation in double from the exact input (x + bias exact in double),
// round once to the output dtype, and measure the distance in ULPs of the output dtype.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "elubench/registry.hpp"

namespace elubench {

// The forward activation in double (copy: the identity), from the trait's reference.
double reference_value(Activation a, double x, const ActivationParams& p);
// A backward activation in double: dy * f'(.) from dy and the saved tensor (the trait's `saved`:
// x, or the forward's output as the bench stores it), evaluated on those exact inputs.
double reference_backward(Activation a, double dy, double saved, const ActivationParams& p);

// What a backward variant reads as its `x` (RunArgs::x): for a trait that saves its output, the
// forward's output f(x) rounded to the dtype (from the reference); otherwise x itself. Forward
// variants: x. `saved` holds n elements of v's dtype.
void make_saved_input(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p);
// Whether v is a backward that reads the forward's output (ELU, ReLU, SELU, as PyTorch saves
// them); otherwise its saved tensor is x itself.
bool saved_is_output(const Variant& v);

// Distance between two values of dtype d (both exactly representable in d) in units in the
// last place of d: the count of representable values between them. +0 and -0 are 0 apart,
// NaN vs NaN is 0 apart, NaN vs anything else is infinite.
double ulp_distance(float expected, float got, Dtype d);

// Tolerances from the design:
//  exact: bit-exact (ReLU, copy).
//  accurate: the trait's Bound for its pass (activations/*.hpp says why); ELU f32 <= 2 ULP with
//            alpha = 1, <= 3 ULP with other alpha or a bias; f16/bf16 (float math, one rounding)
//            <= 1 ULP; bias rows are checked on x + b as the variant computes it (in float).
//  approximate (fast, half2): <= 4 ULP, or an absolute error <= 2^-22 (f32) near 0 where a
//            polynomial's relative error meets tiny outputs.
//  library (peers): <= 4 ULP (2 for 16-bit), or relative error <= 4e-5 (f32: oneDNN's
//            documented bound), or absolute error <= 2^-22 (every dtype) where exp(x) - 1
//            cancels near 0.
struct Tolerance {
  double max_ulp = 0;
  double max_abs = 0;  // an error this small passes regardless of ULPs (0: none)
  double max_rel = 0;  // a relative error this small passes regardless of ULPs (0: none)
  std::string describe() const;
};
Tolerance tolerance_for(const Variant& v, const ActivationParams& p);

// Whether v's output at x = +-0 must be a zero of the reference's sign (the trait's zero_sign,
// docs/activations.md): forward activations whose contract is ZeroSign::of_input, except the
// peers their trait names, and the copies (the identity). Backward rows: never.
bool zero_sign_fixed(const Variant& v);

struct CheckResult {
  bool ok = true;
  std::size_t checked = 0;
  double max_ulp = 0;       // worst ULP distance seen (inf if a NaN was lost or invented)
  double max_abs_error = 0; // worst |got - expected| over finite pairs
  std::size_t worst_index = 0;
  std::string message;      // empty when ok; otherwise the first failing element, spelled out
};

// Checks y (host copy of the output) against the reference for input x (host copy), and where
// zero_sign_fixed(v), the sign of the zero at x = +-0 (ULPs cannot see it: +0 and -0 are 0 apart).
// Bias variants: x is rows x cols, bias has cols elements. Backward variants: x is the saved
// tensor (make_saved_input) and grad holds dy.
CheckResult check_against_reference(const Variant& v, const void* x, const void* y, std::size_t n,
                                    const ActivationParams& p, const void* bias = nullptr, std::size_t cols = 0,
                                    const void* grad = nullptr);

}  // namespace elubench
