// SIMD building blocks shared by the Highway CPU variants (vectorized, fast, fused_bias,
// bias_then_act): dtype loads/stores, the ELU bodies, ReLU, and the loops that walk a
// range with any alignment and any length. Included once per Highway target by each
// variant's foreach_target loop, hence the per-target include guard below instead of
// #pragma once.

// Once per translation unit and outside any Highway target region, so that this initializer is
// compiled for the baseline ISA and runs on every x86 CPU at load time.
#ifndef ELUBENCH_CPU_SIMD_INL_ONCE_
#define ELUBENCH_CPU_SIMD_INL_ONCE_
#if defined(__x86_64__) || defined(__i386__)
namespace elubench::cpu {
// Whether VCVTNE2PS2BF16 (AVX512-BF16) may be used; see Bf16Pair::StoreConverted.
inline const bool kCpuHasAvx512Bf16 = [] {
  __builtin_cpu_init();  // may run before the constructor that initializes the feature bits
  return __builtin_cpu_supports("avx512bf16") != 0;
}();
}  // namespace elubench::cpu
#endif
#endif

#if defined(ELUBENCH_CPU_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ELUBENCH_CPU_SIMD_INL_H_
#undef ELUBENCH_CPU_SIMD_INL_H_
#else
#define ELUBENCH_CPU_SIMD_INL_H_
#endif

#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <hwy/contrib/math/math-inl.h>

#include "elubench/activations.hpp"
#include "elubench/dtypes.hpp"
#include "elubench/registry_rows.hpp"
#include "expm1-inl.h"

// The traits are templates defined outside Highway's target regions; SimdMath's vectors cross
// into them only after `flatten` has inlined them into a target function (ForwardOp below), so
// GCC's note that a vector argument's ABI differs there does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Highway 1.0.3 emulates f16 <-> f32 on SSSE3/SSE4/EMU128/SCALAR by truncation and maps
// f16 inf/NaN to finite values there; only the hardware paths (F16C on AVX2 and up, NEON, SVE)
// round to nearest even. Those weaker targets convert lane by lane with the scalar
// conversions instead, so every target gives the same, correctly rounded f16.
#if HWY_ARCH_X86
#define ELUBENCH_HW_F16 (HWY_TARGET < HWY_SSE4)
#else
#define ELUBENCH_HW_F16 (HWY_TARGET != HWY_EMU128 && HWY_TARGET != HWY_SCALAR)
#endif

// N floats from element i of a buffer of dtype T (any alignment).
template <Dtype T>
HWY_INLINE VF LoadF(DF d, const void* p, std::size_t i) {
  static_assert(T != Dtype::bf16, "bf16 travels in pairs of vectors: Bf16Pair");
  if constexpr (T == Dtype::f32) {
    return hn::LoadU(d, static_cast<const float*>(p) + i);
  } else {
#if ELUBENCH_HW_F16
    const hn::Rebind<hwy::float16_t, DF> dh;
    return hn::PromoteTo(d, hn::LoadU(dh, static_cast<const hwy::float16_t*>(p) + i));
#else
    HWY_ALIGN float lanes[hn::MaxLanes(d)];
    for (std::size_t k = 0; k < hn::Lanes(d); ++k)
      lanes[k] = f16_to_float(static_cast<const std::uint16_t*>(p)[i + k]);
    return hn::Load(d, lanes);
#endif
  }
}

// Stores v as N elements of dtype T at element i, rounding to nearest even.
template <Dtype T>
HWY_INLINE void StoreF(DF d, VF v, void* p, std::size_t i) {
  static_assert(T != Dtype::bf16, "bf16 travels in pairs of vectors: Bf16Pair");
  if constexpr (T == Dtype::f32) {
    hn::StoreU(v, d, static_cast<float*>(p) + i);
  } else {
#if ELUBENCH_HW_F16
    const hn::Rebind<hwy::float16_t, DF> dh;
    hn::StoreU(hn::DemoteTo(dh, v), dh, static_cast<hwy::float16_t*>(p) + i);
#else
    HWY_ALIGN float lanes[hn::MaxLanes(d)];
    hn::Store(v, d, lanes);
    for (std::size_t k = 0; k < hn::Lanes(d); ++k)
      static_cast<std::uint16_t*>(p)[i + k] = float_to_f16(lanes[k]);
#endif
  }
}

// bf16 in pairs of vectors. 2N elements read as N 32-bit lanes hold element 2j in the low half of
// lane j and element 2j + 1 in the high half (little-endian): the odd elements are the lanes with
// the low half masked off, the even ones the lanes shifted up by 16, one instruction per vector
// instead of a widening shuffle and a shift. The store rounds both back in place and merges the
// halves, with no narrowing shuffle. An elementwise op does not care which lanes it gets.
struct Bf16Pair {
  static constexpr std::size_t kVectors = 2;
  static HWY_INLINE void Load(DF d, const void* p, std::size_t i, VF* v) {
    const DU du;
    const VU u = hn::LoadU(du, reinterpret_cast<const std::uint32_t*>(static_cast<const std::uint16_t*>(p) + i));
    v[0] = hn::BitCast(d, hn::ShiftLeft<16>(u));
    v[1] = hn::BitCast(d, hn::And(u, hn::Set(du, 0xFFFF0000u)));
  }
  // Rounds to nearest even by adding 0x7FFF plus the lowest kept bit (float_to_bf16's rule), the
  // result in the high half. A NaN keeps its bits: every value stored here is float arithmetic on
  // bf16 inputs, so a NaN is an input's (low half zero) or the default NaN, and the add cannot
  // carry out of a zero low half.
  static HWY_INLINE VU Rounded(VU u) {
    const DU du;
    return hn::Add(u, hn::Add(hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1u)), hn::Set(du, 0x7FFFu)));
  }
#undef ELUBENCH_BF16_CONVERT_ASM
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3 && (HWY_COMPILER_GCC || HWY_COMPILER_CLANG)
#define ELUBENCH_BF16_CONVERT_ASM 1
  // AVX512-BF16's VCVTNE2PS2BF16 rounds two vectors to bf16 in one instruction, to nearest even,
  // a NaN to a quiet NaN with the same top bits: Rounded's result, except that it reads
  // subnormal inputs as zero, so a pair with a subnormal lane returns false and takes Rounded.
  // VPERMW then interleaves the even and odd halves back into memory order. Highway 1.0.3 emits
  // neither, and GCC allows the BF16 intrinsic only in functions compiled for avx512bf16, which
  // Highway's AVX3 target is not: inline asm, used where CPUID says the CPU has it.
  static HWY_INLINE bool StoreConverted(const VF* v, void* p, std::size_t i) {
    // Class bit 0x20: denormal. KORTESTW ORs the two masks and tests them in one instruction.
    const __mmask16 sub0 = _mm512_fpclass_ps_mask(v[0].raw, 0x20), sub1 = _mm512_fpclass_ps_mask(v[1].raw, 0x20);
    if (HWY_UNLIKELY(!_kortestz_mask16_u8(sub0, sub1))) return false;
    alignas(64) static constexpr std::uint16_t kInterleave[32] = {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,
                                                                  21, 6,  22, 7,  23, 8,  24, 9,  25, 10, 26,
                                                                  11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    __m512i halves;  // words 0-15: the even elements, 16-31: the odd ones
    asm("vcvtne2ps2bf16 %2, %1, %0" : "=v"(halves) : "v"(v[1].raw), "v"(v[0].raw));
    const __m512i words = _mm512_permutexvar_epi16(_mm512_load_si512(kInterleave), halves);
    _mm512_storeu_si512(static_cast<std::uint16_t*>(p) + i, words);
    return true;
  }
#else
#define ELUBENCH_BF16_CONVERT_ASM 0
#endif
  static HWY_INLINE void Store(DF, const VF* v, void* p, std::size_t i) {
#if ELUBENCH_BF16_CONVERT_ASM
    if (kCpuHasAvx512Bf16 && StoreConverted(v, p, i)) return;
#endif
    const DU du;
    const VU even = hn::ShiftRight<16>(Rounded(hn::BitCast(du, v[0])));
    const VU odd = hn::And(Rounded(hn::BitCast(du, v[1])), hn::Set(du, 0xFFFF0000u));
    hn::StoreU(hn::Or(even, odd), du, reinterpret_cast<std::uint32_t*>(static_cast<std::uint16_t*>(p) + i));
  }
};
// f32 and f16: one vector per access.
template <Dtype T>
struct OneVector {
  static constexpr std::size_t kVectors = 1;
  static HWY_INLINE void Load(DF d, const void* p, std::size_t i, VF* v) { v[0] = LoadF<T>(d, p, i); }
  static HWY_INLINE void Store(DF d, const VF* v, void* p, std::size_t i) { StoreF<T>(d, v[0], p, i); }
};
// How dtype T moves between memory and float vectors: Load fills kVectors vectors from
// kVectors * N elements at element i, Store writes them back.
template <Dtype T>
using Io = std::conditional_t<T == Dtype::bf16, Bf16Pair, OneVector<T>>;

// The expm1 need of each variant and dtype (expm1-inl.h picks the form per target): a 16-bit
// output needs 11 (f16) or 8 (bf16) bits, so every variant shares the cheapest form that keeps
// them; `fast` differs from `vectorized` only for f32.
template <Dtype T>
constexpr Expm1Need kAccurateNeed = T == Dtype::f32   ? Expm1Need::accurate_f32
                                    : T == Dtype::f16 ? Expm1Need::f16
                                                      : Expm1Need::bf16;
template <Dtype T>
constexpr Expm1Need kFastNeed = T == Dtype::f32 ? Expm1Need::fast_f32 : kAccurateNeed<T>;

// The CPU SIMD math backend of the traits (activations.hpp lists the operations): Highway
// vectors of floats. scaled_expm1 is this target's expm1 form for kNeed (expm1-inl.h); exp is
// Highway's (<= 1 ULP), with +inf past 88.7 as the traits expect; erf(x / sqrt 2) is XNNPACK's
// rational 12/10 approximation (f32-vgelu): odd numerator over even denominator in x, clamped
// where it reaches +-1.
// c, sub, mul and fma come from the expm1's backend (SimdOps); min and max are the traits' own,
// which keep a NaN in a (SimdOps::max is MAXPS's).
template <Expm1Need kNeed>
struct SimdMath : SimdOps {
  // Plain inline, not HWY_INLINE (always_inline): the trait calling these is compiled without
  // the target, and GCC refuses an always_inline call across targets; ForwardOp's flatten
  // inlines them all the same.
  inline V add(V a, V b) const { return hn::Add(a, b); }
  inline V div(V a, V b) const { return hn::Div(a, b); }
  inline V min(V a, V b) const { return hn::IfThenElse(hn::Lt(b, a), b, a); }  // keeps NaN in a
  inline V max(V a, V b) const { return hn::IfThenElse(hn::Lt(a, b), b, a); }
  inline V if_le0(V x, V a, V b) const { return hn::IfThenElse(hn::Le(x, hn::Zero(d)), a, b); }
  inline V if_lt0(V x, V a, V b) const { return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), a, b); }
  // zero() is a tag, so that if_le0(x, zero(), b) is one masked AND (IfThenZeroElse), not a
  // blend with a zero register (measured: one instruction per vector more on AVX2 for ReLU).
  struct ZeroTag {};
  inline ZeroTag zero() const { return {}; }
  inline V if_le0(V x, ZeroTag, V b) const { return hn::IfThenZeroElse(hn::Le(x, hn::Zero(d)), b); }
  // scaled_expm1 returns its last two operations untaken (Expm1Parts), so that the trait's
  // select merges into them; used anywhere else, the value converts to V.
  struct Expm1 : Expm1Parts<V> {
    inline operator V() const {
      return hn::MulAdd(hn::Mul(this->t, this->s), this->alpha_p1, this->alpha_s_minus_1);
    }
  };
  inline Expm1 scaled_expm1(V x, V s) const { return {AlphaExpm1Parts<kNeed>(d, x, s)}; }
  // The sign of zero is part of ELU's and SELU's contract: x = -0 must take b (b(-0) = -0), since
  // the expm1 parts give alpha expm1(-0) = +0 (alpha s - alpha rounds an exact 0 to +0). Hence
  // x < 0, not x <= 0 nor a select on x's sign bit.
  inline V if_lt0(V x, const Expm1& a, V b) const {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
    // AVX-512 merges by mask: the product t s where x < 0, b elsewhere, then the FMA on the same
    // lanes; b passes through both, and no blend is left (one instruction per vector fewer).
    const __mmask16 lt0 = _mm512_cmp_ps_mask(x.raw, _mm512_setzero_ps(), _CMP_LT_OQ);
    const __m512 ts = _mm512_mask_mul_ps(b.raw, lt0, a.t.raw, a.s.raw);
    return V{_mm512_mask_fmadd_ps(ts, lt0, a.alpha_p1.raw, a.alpha_s_minus_1.raw)};
#else
    return if_lt0(x, static_cast<V>(a), b);
#endif
  }
  inline V exp(V x) const {
    // Highway's Exp is valid up to 104; Min also maps NaN to 100 (the traits carry NaN in x).
    const V e = hn::Exp(d, hn::Min(x, hn::Set(d, 100.0f)));
    return hn::IfThenElse(hn::Gt(x, hn::Set(d, 88.7228394f)), hn::Set(d, HUGE_VALF), e);
  }
  // Highway's Log1p (<= 2 ULP on [0, FLT_MAX]).
  inline V log1p(V x) const { return hn::Log1p(d, x); }
  inline V erf_sqrt1_2(V x) const {
    const V xc = hn::Min(hn::Max(x, hn::Set(d, -5.1638283730e+00f)), hn::Set(d, 5.1638283730e+00f));
    const V x2 = hn::Mul(xc, xc);
    V p = hn::MulAdd(x2, c(4.5835321316e-08f), c(1.2609783880e-05f));
    p = hn::MulAdd(x2, p, c(3.2973114867e-04f));
    p = hn::MulAdd(x2, p, c(9.3065137044e-03f));
    p = hn::MulAdd(x2, p, c(6.6972173750e-02f));
    p = hn::MulAdd(x2, p, c(7.9788452387e-01f));
    V q = hn::MulAdd(x2, c(1.1988805682e-06f), c(7.2267655923e-05f));
    q = hn::MulAdd(x2, q, c(1.8622842617e-03f));
    q = hn::MulAdd(x2, q, c(2.8431978077e-02f));
    q = hn::MulAdd(x2, q, c(2.5060352683e-01f));
    q = hn::MulAdd(x2, q, c(1.0f));
    const V r = hn::Div(hn::Mul(xc, p), q);
#if HWY_NATIVE_FMA
    return r;
#else
    // Rounding each MulAdd's product leaves the rational short of +-1 at the clamp (1 - 3e-7),
    // which 0.5x (1 + erf) multiplies by |x| up to 18 in GELU's tail: +-1 exactly there.
    return hn::IfThenElse(hn::Ge(hn::Abs(x), hn::Set(d, 5.1638283730e+00f)), hn::CopySign(c(1.0f), x), r);
#endif
  }
};

// The per-vector operations the loops below call: trait T's forward on x, or its backward on
// (saved, dy). The trait is a plain template compiled outside the target region, so GCC does not
// inline the backend into it on its own; the loops that call these ops are `flatten` functions
// (kFlat below), which inline the op, the trait and every backend call into this target's loop.
template <class T, Expm1Need kNeed>
struct ForwardOp {
  ActivationParams p;
  VF operator()(DF d, VF x) const { return T::forward(SimdMath<kNeed>{{d}}, x, p); }
};
template <class T, Expm1Need kNeed>
struct BackwardOp {
  ActivationParams p;
  VF operator()(DF d, VF saved, VF dy) const {
    return T::backward(SimdMath<kNeed>{{d}}, dy, saved, p);
  }
};
// Forward after adding the bias (fused_bias): op(x, b) = f(x + b).
template <class T, Expm1Need kNeed>
struct BiasForwardOp {
  ActivationParams p;
  VF operator()(DF d, VF x, VF b) const {
    return T::forward(SimdMath<kNeed>{{d}}, hn::Add(x, b), p);
  }
};

// A loop over a chunk: one call per chunk, and everything it calls inlined into it (see ForwardOp).
#ifndef ELUBENCH_FLAT_LOOP
#define ELUBENCH_FLAT_LOOP HWY_NOINLINE __attribute__((flatten))
#endif

// y[i] = op(x[i]) for i in [begin, end), any alignment. The last partial access goes through
// a one-access stack buffer so it runs the very same SIMD code (same results as the body)
// without touching memory past the end of x or y.
template <Dtype T, class Op>
ELUBENCH_FLAT_LOOP void MapUnary(const void* x, void* y, std::size_t begin, std::size_t end, const Op& op_in) {
  // A local copy of the op (and what it captured by value, e.g. alpha): the stores through y
  // may alias the caller's copy, which would make the compiler reload it for every vector.
  const Op op = op_in;
  const DF d;
  constexpr std::size_t K = Io<T>::kVectors, kAccesses = 4 / K;
  const std::size_t B = K * hn::Lanes(d);  // elements per access
  std::size_t i = begin;
  // Four vectors per iteration: ELU's ~40-cycle dependency chain per vector needs several in
  // flight, and the unrolled body lets the core overlap them (measured: the single-vector loop
  // was latency-bound in cache).
  for (; i + kAccesses * B <= end; i += kAccesses * B) {
    VF v[4];
    for (std::size_t a = 0; a < kAccesses; ++a) Io<T>::Load(d, x, i + a * B, v + a * K);
    for (VF& vk : v) vk = op(d, vk);
    for (std::size_t a = 0; a < kAccesses; ++a) Io<T>::Store(d, v + a * K, y, i + a * B);
  }
  for (; i + B <= end; i += B) {
    VF v[K];
    Io<T>::Load(d, x, i, v);
    for (VF& vk : v) vk = op(d, vk);
    Io<T>::Store(d, v, y, i);
  }
  if (i < end) {
    const std::size_t es = dtype_size(T), bytes = (end - i) * es;
    HWY_ALIGN unsigned char bx[HWY_MAX_BYTES] = {};  // one access is at most a vector of floats
    HWY_ALIGN unsigned char by[HWY_MAX_BYTES];
    std::memcpy(bx, static_cast<const unsigned char*>(x) + i * es, bytes);
    VF v[K];
    Io<T>::Load(d, bx, 0, v);
    for (VF& vk : v) vk = op(d, vk);
    Io<T>::Store(d, v, by, 0);
    std::memcpy(static_cast<unsigned char*>(y) + i * es, by, bytes);
  }
}

// y[i] = op(x[i], b[i]) for i in [0, len): the same, with a second input (the bias row, or a
// backward's dy).
template <Dtype T, class Op>
ELUBENCH_FLAT_LOOP void MapBinary(const void* x, const void* b, void* y, std::size_t len, const Op& op_in) {
  const Op op = op_in;  // as in MapUnary
  const DF d;
  constexpr std::size_t K = Io<T>::kVectors, kAccesses = 4 / K;
  const std::size_t B = K * hn::Lanes(d);
  std::size_t i = 0;
  // Unrolled as MapUnary: the backward's derivatives are long dependency chains too.
  for (; i + kAccesses * B <= len; i += kAccesses * B) {
    VF vx[4], vb[4];
    for (std::size_t a = 0; a < kAccesses; ++a) {
      Io<T>::Load(d, x, i + a * B, vx + a * K);
      Io<T>::Load(d, b, i + a * B, vb + a * K);
    }
    for (std::size_t k = 0; k < 4; ++k) vx[k] = op(d, vx[k], vb[k]);
    for (std::size_t a = 0; a < kAccesses; ++a) Io<T>::Store(d, vx + a * K, y, i + a * B);
  }
  const std::size_t es = dtype_size(T);
  HWY_ALIGN unsigned char bx[HWY_MAX_BYTES] = {}, bb[HWY_MAX_BYTES] = {}, by[HWY_MAX_BYTES];
  for (; i < len; i += B) {
    // Whole accesses in place; the last partial one through the buffers, as MapUnary's tail.
    const bool whole = i + B <= len;
    const std::size_t bytes = (std::min(len, i + B) - i) * es;
    if (!whole) {
      std::memcpy(bx, static_cast<const unsigned char*>(x) + i * es, bytes);
      std::memcpy(bb, static_cast<const unsigned char*>(b) + i * es, bytes);
    }
    VF vx[K], vb[K];
    Io<T>::Load(d, whole ? x : bx, whole ? i : 0, vx);
    Io<T>::Load(d, whole ? b : bb, whole ? i : 0, vb);
    for (std::size_t k = 0; k < K; ++k) vx[k] = op(d, vx[k], vb[k]);
    Io<T>::Store(d, vx, whole ? y : by, whole ? i : 0);
    if (!whole) std::memcpy(static_cast<unsigned char*>(y) + i * es, by, bytes);
  }
}

// Elements [begin, end) of a rows x cols matrix x plus the bias row b (cols elements):
// y = op(x, b[col]), walked row segment by row segment so that the bias row is re-read from
// its start for every row (it stays in L1) and a chunk may start or end mid-row.
template <Dtype T, class Op>
HWY_INLINE void MapRowsWithBias(const void* x, const void* b, void* y, std::size_t cols,
                                std::size_t begin, std::size_t end, const Op& op) {
  const std::size_t es = dtype_size(T);
  std::size_t i = begin;
  while (i < end) {
    const std::size_t col = i % cols;
    const std::size_t len = std::min(end - i, cols - col);
    MapBinary<T>(static_cast<const unsigned char*>(x) + i * es, static_cast<const unsigned char*>(b) + col * es,
                 static_cast<unsigned char*>(y) + i * es, len, op);
    i += len;
  }
}

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
