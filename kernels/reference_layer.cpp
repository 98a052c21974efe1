#include "elubench/reference_layer.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "elubench/layer.hpp"
#include "parallel.hpp"  // kernels/cpu: the pool shares the reference's rows out

namespace elubench {

std::vector<std::size_t> sample_rows(std::size_t m, std::size_t max_rows) {
  std::vector<std::size_t> rows;
  if (m <= max_rows) {
    for (std::size_t i = 0; i < m; ++i) rows.push_back(i);
    return rows;
  }
  if (max_rows < 2) throw std::invalid_argument("sample_rows: max_rows < 2 cannot hold the first and the last row");
  for (std::size_t i = 0; i < max_rows; ++i) {
    const std::size_t r = i * (m - 1) / (max_rows - 1);
    if (rows.empty() || r != rows.back()) rows.push_back(r);
  }
  return rows;
}

namespace {
// Widens n elements of dtype d to double.
std::vector<double> widen_all(const void* p, std::size_t n, Dtype d) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = load_as_float(p, i, d);
  return out;
}

// The sums and magnitudes of referenced rows [begin, end) of `rows`: w and |w| are walked row
// by row (k outer) so that the inner loop is an axpy over n that the compiler vectorizes.
void reference_rows(const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& b,
                    const LayerShape& s, const std::vector<std::size_t>& rows, std::size_t begin, std::size_t end,
                    LayerReference& out) {
  for (std::size_t r = begin; r < end; ++r) {
    double* sum = out.sum.data() + r * s.n;
    double* mag = out.magnitude.data() + r * s.n;
    for (std::size_t j = 0; j < s.n; ++j) {
      sum[j] = b[j];
      mag[j] = std::fabs(b[j]);
    }
    const double* xr = x.data() + rows[r] * s.k;
    for (std::size_t k = 0; k < s.k; ++k) {
      const double xv = xr[k], ax = std::fabs(xv);
      const double* wk = w.data() + k * s.n;
      for (std::size_t j = 0; j < s.n; ++j) {
        sum[j] += xv * wk[j];
        mag[j] += ax * std::fabs(wk[j]);
      }
    }
  }
}
}  // namespace

LayerReference reference_layer(Dtype d, const void* x, const void* w, const void* bias, const LayerShape& s,
                               const std::vector<std::size_t>& rows, int threads) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i] >= s.m || (i > 0 && rows[i] <= rows[i - 1]))
      throw std::invalid_argument("reference_layer: rows must ascend and be < m (" + std::to_string(s.m) + ")");
  LayerReference out{s, rows, std::vector<double>(rows.size() * s.n), std::vector<double>(rows.size() * s.n)};
  const std::vector<double> xd = widen_all(x, s.m * s.k, d), wd = widen_all(w, s.k * s.n, d), bd = widen_all(bias, s.n, d);
  struct Ctx {
    const std::vector<double>&xd, &wd, &bd;
    LayerReference& out;
    int t;
  } ctx{xd, wd, bd, out, std::max(threads, 1)};
  cpu::detail::pool_run(ctx.t, [](void* p, int k) {
    Ctx& c = *static_cast<Ctx*>(p);
    const std::size_t n = c.out.rows.size();
    reference_rows(c.xd, c.wd, c.bd, c.out.shape, c.out.rows, n * k / c.t, n * (k + 1) / c.t, c.out);
  }, &ctx);
  return out;
}

double gamma_n(std::size_t n, double u) {
  const double nu = static_cast<double>(n) * u;
  return nu < 1 ? nu / (1 - nu) : std::numeric_limits<double>::infinity();
}

double lipschitz_constant(Activation a, const ActivationParams& p) {
  if (a == Activation::copy) return 1.0;
  a = forward_of(a);
  constexpr double kStep = 0x1p-10, kEdge = 24.0;
  double worst = 0, prev = reference_value(a, -kEdge, p);
  for (double x = -kEdge + kStep; x <= kEdge; x += kStep) {
    const double cur = reference_value(a, x, p);
    worst = std::max(worst, std::fabs(cur - prev) / kStep);
    prev = cur;
  }
  // A secant is below sup |f'| by at most step * sup |f''| / 2; |f''| <= 2 max(1, |f'|) for these.
  return worst * (1 + kStep) + kStep;
}

namespace {
// The unit roundoff of a storage dtype.
double unit_roundoff(Dtype d) {
  switch (d) {
    case Dtype::f32: return 0x1p-24;
    case Dtype::f16: return 0x1p-11;
    case Dtype::bf16: return 0x1p-8;
  }
  throw std::logic_error("unit_roundoff: not a Dtype");
}
// The spacing of dtype d's values at magnitude v (its ULP there; the subnormal spacing below).
double ulp_at(double v, Dtype d) {
  const int mantissa = d == Dtype::f32 ? 23 : d == Dtype::f16 ? 10 : 7;
  const int min_exp = d == Dtype::f16 ? -14 : -126;
  const int e = v > 0 ? std::max(std::ilogb(v), min_exp) : min_exp;
  return std::ldexp(1.0, e - mantissa);
}
}  // namespace

LayerErrorModel layer_error_model(const Variant& v, std::size_t k, const ActivationParams& p) {
  if (!v.is_layer()) throw std::logic_error("layer_error_model: " + v.name + " is not a layer row");
  const Epilogue e = v.layer->epilogue;
  const bool stored = (e == Epilogue::separate_pass || e == Epilogue::tiled) && v.dtype != Dtype::f32;
  return {v.dtype, k, 0x1p-24, stored ? unit_roundoff(v.dtype) : 0.0, lipschitz_constant(v.activation, p),
          tolerance_for(v, p)};
}

double layer_allowed_error(const LayerErrorModel& e, double sum, double magnitude, double got) {
  const double terms = static_cast<double>(e.k + 1);
  double ds = gamma_n(e.k + 1, e.u_accumulate) * magnitude + terms * 0x1p-53 * magnitude + 2 * terms * FLT_MIN;
  ds += e.u_store * (std::fabs(sum) + ds);
  const double v = std::isfinite(got) ? std::max(std::fabs(sum), std::fabs(got)) : std::fabs(sum);
  const double ulp = ulp_at(v, e.dtype);
  const double act = std::max({e.activation.max_ulp * ulp, e.activation.max_abs, e.activation.max_rel * v});
  return e.lipschitz * ds + act + 0.5 * ulp;
}

namespace {
void record_failure(LayerCheckResult& r, const Variant& v, const LayerReference& ref, std::size_t i, double got,
                    double want, double allowed) {
  r.ok = false;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "%s: y[%zu][%zu] of %s: got %.9g, expected %.9g (sum %.9g, |x|.|w|+|b| %.4g): error %.3g > bound %.3g",
                v.name.c_str(), ref.rows[i / ref.shape.n], i % ref.shape.n, to_string(ref.shape).c_str(), got, want,
                ref.sum[i], ref.magnitude[i], std::fabs(got - want), allowed);
  r.message = buf;
}
}  // namespace

LayerCheckResult check_layer(const Variant& v, const LayerReference& ref, const void* y, const ActivationParams& p) {
  const LayerErrorModel model = layer_error_model(v, ref.shape.k, p);
  LayerCheckResult r;
  r.checked = ref.sum.size();
  for (std::size_t i = 0; i < ref.sum.size(); ++i) {
    const std::size_t at = ref.rows[i / ref.shape.n] * ref.shape.n + i % ref.shape.n;
    const double got = load_as_float(y, at, v.dtype);
    const double want = reference_value(v.activation, ref.sum[i], p);
    const double err = std::isnan(got) ? std::numeric_limits<double>::infinity() : std::fabs(got - want);
    const double allowed = layer_allowed_error(model, ref.sum[i], ref.magnitude[i], got);
    const double ulps = ulp_distance(round_to_dtype(want, v.dtype), static_cast<float>(got), v.dtype);
    if (ulps > r.max_ulp) { r.max_ulp = ulps; r.worst_index = at; }
    r.max_abs_error = std::max(r.max_abs_error, err);
    r.bound_used = std::max(r.bound_used, err / allowed);
    if (!(err <= allowed) && r.ok) record_failure(r, v, ref, i, got, want, allowed);
  }
  return r;
}

}  // namespace elubench
