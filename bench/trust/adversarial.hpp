// The check every row gets before timing whatever --input says: one call on a fixed,
// sign-mixed, adversarial input, checked against the float64 reference. The timed input may
// never reach a branch (--input positive never runs ELU's exponential); this input always does.
#pragma once

#include <cstddef>
#include <vector>

#include "elubench/reference.hpp"

namespace elubench::bench {

// Length and bias width of the adversarial input: odd, so that no vector width divides it and
// every SIMD/CUDA tail runs; 7 columns, so a bias variant wraps its bias inside a vector.
inline constexpr std::size_t kAdversarialN = 4151;  // 7 * 593
inline constexpr std::size_t kAdversarialCols = 7;

// n values of dtype d: the edge values (both zeros, +-1e-8, subnormals, the saturation point
// near -17.33, -87, -200, -FLT_MAX, +inf, -inf, and NaN when with_nan) at the start, at every
// power-of-two boundary up to 1024 (where vectors and tiles begin) and at the end, with
// mixed-sign values of log-uniform magnitude (1e-10 .. 100) in between, so both branches meet
// inside every vector. Deterministic.
std::vector<unsigned char> adversarial_input(Dtype d, std::size_t n, bool with_nan);

// Whether the tolerance class promises NaN -> NaN. The library peers do not (oneDNN 2.6's
// ReLU returns 0 for NaN, a pinned finding in tests/test_variants.cpp), so their input holds
// no NaN; infinities are in every input.
bool expects_nan_propagation(const Variant& v);

// Runs v once on the adversarial input (host or device buffers, pointers offset as in a timed
// row) with the row's parameters and threads, and checks the output. A backward reads the
// adversarial x as its saved tensor (make_saved_input) and a normal dy. Throws on a run error.
CheckResult check_adversarial(const Variant& v, const ActivationParams& p, int threads);

}  // namespace elubench::bench
