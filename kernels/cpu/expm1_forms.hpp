// The expm1 forms of the CPU SIMD variants, named the XNNPACK way (rr1-lut8-p4: one-constant
// range reduction, an 8-entry table, a degree-4 polynomial), and their algorithm, written once
// over an operations backend: Highway vectors in expm1-inl.h (which picks one form per SIMD
// target and accuracy class), plain floats here (ScalarOps), so that a test pins the SIMD result
// bit for bit against scalar code on every target with FMA.
//
// Every form computes alpha * expm1(max(x, kEluSaturation)) for x <= 0 as
//   x = N ln2 / L + t       (L table entries, 1 = no table; N = round(x L / ln2), |t| <= ln2 / 2L)
//   s = 2^(N / L)           (N div L into the exponent bits, times table entry N mod L)
//   e^t - 1 = t + t^2 Q(t)  (Q: a minimax fit of the relative error, kernels/cpu/fit_expm1.py)
//   result = alpha (s - 1) + (t s) * [alpha + t (alpha Q(t))]
// alpha (s - 1) is one rounding (exact at s = 1), so nothing cancels near 0: for |x| < ln2 / 2L,
// s = 1 and the result is alpha t (1 + t Q), so x = -1e-8 gives -1e-8 alpha and a subnormal x
// gives alpha x. Q's coefficients are scaled by alpha once per call (loop-invariant), which folds
// alpha into the polynomial instead of spending a multiply per vector on it.
// The clamp at kEluSaturation keeps s a normal float; below it the result rounds to -alpha.
// A table entry is 2^(k/L) rounded to float: up to half an ULP of s off, an error that lands on
// results near 0.02-0.2 where N is small and nonzero (XNNPACK's 3-5 ULP); only the `fast` forms
// keep a table.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "elubench/activations.hpp"

namespace elubench::cpu {

// What a kernel needs from its expm1: the accuracy class it must keep, per variant and dtype.
//  accurate_f32: f32 `vectorized` and the bias variants, <= 2 ULP with alpha = 1 (3 otherwise);
//  fast_f32:     f32 `fast`, <= 4 ULP or an absolute error <= 2^-22 (alpha <= 2);
//  f16, bf16:    16-bit outputs, <= 1 ULP after the one rounding to 16 bits: a relative error
//                below the 16-bit ULP (2^-11, 2^-8) is enough (Expm1Degree3).
enum class Expm1Need { accurate_f32, fast_f32, f16, bf16 };

// bits(2^(k/L)) - (k << (23 - log2 L)): adding bits(biased) << (23 - log2 L), whose low bits hold
// N, puts k back and adds N div L to the exponent.
struct Expm1Lut16 {
  alignas(64) static constexpr std::uint32_t table[16] = {
      0x3F800000u, 0x3F7DAAC3u, 0x3F7B95C2u, 0x3F79C3D3u, 0x3F7837F0u, 0x3F76F532u, 0x3F75FED7u, 0x3F75583Fu,
      0x3F7504F3u, 0x3F7508A4u, 0x3F75672Au, 0x3F76248Cu, 0x3F7744FDu, 0x3F78CCDFu, 0x3F7AC0C7u, 0x3F7D257Du,
  };
};
struct Expm1Lut8 {
  alignas(32) static constexpr std::uint32_t table[8] = {
      0x3F800000u, 0x3F7B95C2u, 0x3F7837F0u, 0x3F75FED7u, 0x3F7504F3u, 0x3F75672Au, 0x3F7744FDu, 0x3F7AC0C7u,
  };
};
struct NoTable {};

// Q's coefficients, highest degree first, down to c2, and the relative error of t + t^2 Q on the
// form's range |t| <= ln2 / 2L with the float coefficients:
struct Expm1Lut16Degree3 {  // XNNPACK's rr1-lut16-p3: 1.1e-7
  static constexpr float coefficients[] = {0x1.55561Cp-3f, 0x1.0001ECp-1f};
};
struct Expm1Lut8Degree4 {  // 5.2e-9
  static constexpr float coefficients[] = {0x1.555374p-5f, 0x1.555c24p-3f, 0x1.0p-1f};
};
// 4.6e-4 = 2^-11.09: below 2^-11, the smallest relative f16 ULP, and the ELU result's relative
// error is at most the expm1's (|s expm1(t)| <= |s e^t - 1|), so the float result is within one
// f16 ULP of the true one and its rounding within 1 ULP of the true rounding, for any alpha.
struct Expm1Degree3 {
  static constexpr float coefficients[] = {0x1.560738p-3f, 0x1.01e378p-1f};
};
// Degree 6 (XNNPACK's rr1-p6, 1.8e-8) is Expm1Degree6 in activations.hpp, shared with CUDA.

// A form: log2 of its table size (0: no table), the table, whether the reduction takes two steps
// (rr2: for targets without FMA, where n ln2_hi is exact and z - n ln2_hi Sterbenz-exact), and Q.
template <int kLog2L, class Table, bool kTwoStep, class Poly>
struct Expm1Form {
  static constexpr int log2_table = kLog2L;
  using table = Table;
  static constexpr bool two_step = kTwoStep;
  static constexpr const float* coefficients = Poly::coefficients;
  static constexpr std::size_t terms = sizeof(Poly::coefficients) / sizeof(float);
};
#define ELUBENCH_EXPM1_FORM(Type, label, ...) \
  struct Type : Expm1Form<__VA_ARGS__> {      \
    static constexpr const char* name = label; \
  }
ELUBENCH_EXPM1_FORM(Rr1Lut16P3, "rr1-lut16-p3", 4, Expm1Lut16, false, Expm1Lut16Degree3);
ELUBENCH_EXPM1_FORM(Rr1Lut8P4, "rr1-lut8-p4", 3, Expm1Lut8, false, Expm1Lut8Degree4);
ELUBENCH_EXPM1_FORM(Rr1P6, "rr1-p6", 0, NoTable, false, Expm1Degree6);
ELUBENCH_EXPM1_FORM(Rr1P3, "rr1-p3", 0, NoTable, false, Expm1Degree3);
ELUBENCH_EXPM1_FORM(Rr2P6, "rr2-p6", 0, NoTable, true, Expm1Degree6);
ELUBENCH_EXPM1_FORM(Rr2P3, "rr2-p3", 0, NoTable, true, Expm1Degree3);
#undef ELUBENCH_EXPM1_FORM
// Every form, for what looks a form up by name (elu_model_named).
template <class... Forms>
struct FormList {};
using AllExpm1Forms = FormList<Rr1Lut16P3, Rr1Lut8P4, Rr1P6, Rr1P3, Rr2P6, Rr2P3>;

// Range-reduction constants. The magic bias rounds z log2e to a multiple of 1/L and leaves N in
// the low mantissa bits; without a table it also carries the exponent bias (127), so that
// bits(biased) << 23 is 2^N.
struct Expm1Rr {
  static constexpr float log2e = 0x1.715476p+0f;
  static constexpr float minus_ln2 = -0x1.62E430p-1f;
  static constexpr float minus_ln2_hi = -0x1.62E440p-1f;  // 6 trailing zero bits: n ln2_hi exact, |n| < 64
  static constexpr float minus_ln2_lo = 0x1.0105C6p-21f;
  static constexpr float magic_bias(int log2_table) {
    return log2_table == 0 ? 0x1.8000FEp23f : 0x1.8p23f / float(1 << log2_table);
  }
};

// The result before its last two operations: alpha expm1(x) = (t s) * alpha_p1 + alpha_s_minus_1.
// Kept apart so that a select can merge into them (AVX-512 masks, simd-inl.h).
template <class V>
struct Expm1Parts {
  V t, s, alpha_p1, alpha_s_minus_1;
};

// The algorithm of every form over backend o (ScalarOps lists what it provides). Only o.exp2 and
// o.lookup differ between targets, and they give the same bits. always_inline: compiled outside
// Highway's target regions, it must land in the target's loop before the vector operations can
// be inlined into it (GCC otherwise emitted it out of line, with the baseline ABI for vectors).
template <class Form, class O, class V = typename O::V>
__attribute__((always_inline)) inline Expm1Parts<V> alpha_expm1_parts(const O& o, V x, V alpha) {
  const V magic = o.c(Expm1Rr::magic_bias(Form::log2_table));
  const V z = o.max(o.c(kEluSaturation), x);  // sat first: x86's MAXPS then keeps a NaN x
  const V biased = o.fma(z, o.c(Expm1Rr::log2e), magic);
  const V n = o.sub(biased, magic);
  const V s = o.template exp2<Form>(biased, n);
  V t;
  if constexpr (Form::two_step) {
    t = o.fma(n, o.c(Expm1Rr::minus_ln2_hi), z);
    t = o.fma(n, o.c(Expm1Rr::minus_ln2_lo), t);
  } else {
    t = o.fma(n, o.c(Expm1Rr::minus_ln2), z);
  }
  // alpha Q by Horner from the highest coefficient (the alpha c_k are loop-invariant).
  V q = o.mul(o.c(Form::coefficients[0]), alpha);
  for (std::size_t i = 1; i < Form::terms; ++i) q = o.fma(q, t, o.mul(o.c(Form::coefficients[i]), alpha));
  return {t, s, o.fma(q, t, alpha), o.fms(s, alpha, alpha)};
}
template <class Form, class O, class V = typename O::V>
__attribute__((always_inline)) inline V alpha_expm1(const O& o, V x, V alpha) {
  const Expm1Parts<V> e = alpha_expm1_parts<Form>(o, x, alpha);
  return o.fma(o.mul(e.t, e.s), e.alpha_p1, e.alpha_s_minus_1);
}

// The scalar backend: the same operations on one float, with fused multiply-adds (SIMD targets
// with FMA agree with it bit for bit; the others round a MulAdd's product first).
struct ScalarOps {
  using V = float;
  static float c(float k) { return k; }
  static float max(float a, float b) { return a > b ? a : b; }  // MAXPS: b where either is NaN
  static float sub(float a, float b) { return a - b; }
  static float mul(float a, float b) { return a * b; }
  static float fma(float a, float b, float c) { return std::fma(a, b, c); }
  static float fms(float a, float b, float c) { return std::fma(a, b, -c); }
  template <class Form>
  static float exp2(float biased, float) {
    const std::uint32_t nb = float_to_bits(biased);
    if constexpr (Form::log2_table == 0) {
      return bits_to_float(nb << 23);
    } else {
      const std::uint32_t entry = Form::table::table[nb & ((1u << Form::log2_table) - 1)];
      return bits_to_float(entry + (nb << (23 - Form::log2_table)));
    }
  }
};

// ELU as the SIMD kernels compute it in form Form, one element: the bit-exact model.
template <class Form>
inline float elu_model(float x, float alpha) {
  if (!(x < 0.0f)) return x;  // x >= 0 (+-0 keep their sign) and NaN: the trait's select keeps x
  return alpha_expm1<Form>(ScalarOps{}, x, alpha);
}

// elu_model of the form called `name` (Form::name), or nullptr if there is none.
using EluModel = float (*)(float x, float alpha);
template <class... Forms>
inline EluModel elu_model_named(std::string_view name, FormList<Forms...>) {
  EluModel m = nullptr;
  ((m = (m == nullptr && name == Forms::name) ? &elu_model<Forms> : m), ...);
  return m;
}
inline EluModel elu_model_named(std::string_view name) { return elu_model_named(name, AllExpm1Forms{}); }

}  // namespace elubench::cpu
