// The float64 reference of a whole layer, y = act(x . w + bias), and the check of a layer row
// against it, with a bound that grows with k (docs/layers.md derives it).
//
// Reference: every product of two inputs is exact in double (24 + 24 significant bits < 53), the
// k + 1 terms are summed in double, and the activation is the trait's float64 reference.
// Bound, per element of y (s the sum, m = |x| . |w| + |bias| the magnitude of its terms):
//   |got - act(s)| <= L * ds + E_act
//   ds    = gamma_{k+1}(u_acc) * m                   any order of the k + 1 terms, with or without
//                                                    FMA (Higham, Accuracy and Stability, 3.1)
//         + (k + 1) * 2^-53 * m                      the double reference's own error
//         + 2 (k + 1) * FLT_MIN                      flushed subnormals (AMX, XNNPACK's FTZ)
//         + u_store * (|s| + ds)                     where the sum is stored in the dtype before a
//                                                    separate activation (u of the dtype; f32: 0)
//   L     = sup |f'| of the activation with its parameters (1 for the ceiling's identity)
//   E_act = the activation's own bound (its accuracy class, tolerance_for: ULPs of the dtype, an
//           absolute floor, a library's relative error) + half an ULP for the final rounding.
// u_acc = 2^-24: every layer row accumulates in f32 (oneDNN, XNNPACK f32, cuBLASLt with
// CUBLAS_COMPUTE_32F, never TF32). A row whose library accumulates in 16 bits has no row.
#pragma once

#include <cstddef>
#include <vector>

#include "elubench/reference.hpp"
#include "elubench/registry.hpp"

namespace elubench {

struct LayerReference {
  LayerShape shape;
  std::vector<std::size_t> rows;  // the rows of y referenced, ascending
  // Per referenced element, row by row: s = x . w + bias, and m = |x| . |w| + |bias|.
  std::vector<double> sum, magnitude;
};
// The reference of rows `rows` (ascending, < s.m) of the layer of dtype d, from host copies of
// x, w and bias; `threads` workers of the CPU pool share the rows.
LayerReference reference_layer(Dtype d, const void* x, const void* w, const void* bias, const LayerShape& s,
                               const std::vector<std::size_t>& rows, int threads = 1);
// Every row of y when m <= max_rows; otherwise max_rows rows spread evenly from the first to the
// last (a fault confined to fewer consecutive rows than m / max_rows may fall between them);
// max_rows >= 2 (std::invalid_argument otherwise, when m > max_rows).
std::vector<std::size_t> sample_rows(std::size_t m, std::size_t max_rows);

// n u / (1 - n u): Higham's gamma_n, the relative error bound of n roundings; +inf when n u >= 1.
double gamma_n(std::size_t n, double u);
// sup |f'(x)| of forward activation a with parameters p (copy: 1), from the float64 reference's
// secants on a grid of 2^-10 over [-24, 24] (outside it every activation here is linear or flat),
// plus the margin the grid could miss.
double lipschitz_constant(Activation a, const ActivationParams& p);

// What the bound above needs to know about one row and shape.
struct LayerErrorModel {
  Dtype dtype;
  std::size_t k;
  double u_accumulate;  // 2^-24
  double u_store;       // the dtype's unit roundoff where the sum is stored before the activation, else 0
  double lipschitz;
  Tolerance activation;  // tolerance_for(v, p)
};
LayerErrorModel layer_error_model(const Variant& v, std::size_t k, const ActivationParams& p);
// The bound on |got - act(sum)| for one element.
double layer_allowed_error(const LayerErrorModel& e, double sum, double magnitude, double got);

// A layer check: max_ulp is the worst distance in ULPs of the dtype from act(s) rounded once
// (informative: it grows with k), max_abs_error the worst |got - act(s)|, and bound_used the worst
// ratio of an element's error to its bound (the check fails where it exceeds 1).
struct LayerCheckResult : CheckResult {
  double bound_used = 0;
};
// Checks y (a host copy of the layer row's whole output, m x n of v's dtype) on the referenced
// rows; the message names the first element outside its bound.
LayerCheckResult check_layer(const Variant& v, const LayerReference& ref, const void* y, const ActivationParams& p);

}  // namespace elubench
