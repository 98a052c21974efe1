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
// Whether VCVTNEPS2BF16 (AVX512-BF16) may be used; see StoreBf16Convert.
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

// The traits are templates defined outside Highway's target regions; SimdMath's vectors cross
// into them only after `flatten` has inlined them into a target function (ForwardOp below), so
// GCC's note that a vector argument's ABI differs there does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

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
  if constexpr (T == Dtype::f32) {
    return hn::LoadU(d, static_cast<const float*>(p) + i);
  } else if constexpr (T == Dtype::bf16) {
    // bf16 is the top half of a float: widen the bits and shift, exact.
    const hn::Rebind<std::uint16_t, DF> du16;
    const hn::RebindToUnsigned<DF> du32;
    const auto h = hn::LoadU(du16, static_cast<const std::uint16_t*>(p) + i);
    return hn::BitCast(d, hn::ShiftLeft<16>(hn::PromoteTo(du32, h)));
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

// Stores v as bf16 at element i of p, rounding to nearest even by hand (float_to_bf16's rule:
// add 0x7FFF plus the lowest kept bit), and keeps NaN a quiet NaN instead of letting the
// rounding carry it into infinity. Highway 1.0.3's DemoteTo(bf16) truncates, hence this.
HWY_INLINE void StoreBf16Rounded(VF v, void* p, std::size_t i) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::RebindToSigned<DF> di32;
  const hn::Rebind<std::uint16_t, DF> du16;
  const auto u = hn::BitCast(du32, v);
  const auto lsb = hn::And(hn::ShiftRight<16>(u), hn::Set(du32, 1u));
  const auto rounded = hn::ShiftRight<16>(hn::Add(u, hn::Add(lsb, hn::Set(du32, 0x7FFFu))));
  const auto quiet_nan = hn::Or(hn::ShiftRight<16>(u), hn::Set(du32, 0x40u));
  const auto bits = hn::IfThenElse(hn::RebindMask(du32, hn::IsNaN(v)), quiet_nan, rounded);
  // Every lane is < 2^16, so the saturating demotion is a plain narrowing.
  hn::StoreU(hn::DemoteTo(du16, hn::BitCast(di32, bits)), du16, static_cast<std::uint16_t*>(p) + i);
}

// AVX512-BF16's VCVTNEPS2BF16 rounds 16 floats to bf16 in one instruction, to nearest even,
// NaN to a quiet NaN with the same top bits: exactly StoreBf16Rounded, except that it reads
// subnormal inputs as zero. Highway 1.0.3 does not emit it, and GCC allows its intrinsic only
// in functions compiled for avx512bf16, which Highway's AVX3 target is not; so it is written as
// inline asm (the assembler knows it whatever the target) and used only where CPUID says the
// CPU has it (kCpuHasAvx512Bf16, checked once at load time; the loops branch on a constant).
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3 && (HWY_COMPILER_GCC || HWY_COMPILER_CLANG)
#define ELUBENCH_BF16_CONVERT_ASM 1
HWY_INLINE void StoreBf16Convert(VF v, void* p, std::size_t i) {
  // A vector with a subnormal lane (class bit 0x20: denormal) takes the exact path instead.
  if (HWY_UNLIKELY(_mm512_fpclass_ps_mask(v.raw, 0x20) != 0)) return StoreBf16Rounded(v, p, i);
  __m256i bits;
  asm("vcvtneps2bf16 %1, %0" : "=v"(bits) : "v"(v.raw));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<std::uint16_t*>(p) + i), bits);
}
#else
#define ELUBENCH_BF16_CONVERT_ASM 0
#endif

// Stores v as N elements of dtype T at element i, rounding to nearest even.
template <Dtype T>
HWY_INLINE void StoreF(DF d, VF v, void* p, std::size_t i) {
  if constexpr (T == Dtype::f32) {
    hn::StoreU(v, d, static_cast<float*>(p) + i);
  } else if constexpr (T == Dtype::bf16) {
#if ELUBENCH_BF16_CONVERT_ASM
    if (kCpuHasAvx512Bf16) return StoreBf16Convert(v, p, i);
#endif
    StoreBf16Rounded(v, p, i);
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

// table[k] for k = the low 4 bits of each lane of idx (the higher bits are ignored), where
// table has 16 entries and is 64-byte aligned. AVX-512 holds the whole table in one register
// and looks it up with one permute; AVX2 has 8 lanes, so it looks up both 8-entry halves and
// picks per lane by bit 3 (two permutes and a blend: still cheaper than a gather); other targets
// gather from memory.
template <class DU, class VU = hn::Vec<DU>>
HWY_INLINE VU Lookup16(DU du, const std::uint32_t* HWY_RESTRICT table, VU idx) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  (void)du;
  return VU{_mm512_permutexvar_epi32(idx.raw, _mm512_load_si512(table))};
#elif HWY_ARCH_X86 && HWY_TARGET == HWY_AVX2
  (void)du;
  const __m256i lo = _mm256_permutevar8x32_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(table)), idx.raw);
  const __m256i hi = _mm256_permutevar8x32_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(table + 8)), idx.raw);
  // blendv picks by the sign bit: move bit 3 of the index there.
  const __m256 pick_hi = _mm256_castsi256_ps(_mm256_slli_epi32(idx.raw, 28));
  return VU{_mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), pick_hi))};
#else
  const hn::RebindToSigned<DU> di;
  return hn::GatherIndex(du, table, hn::BitCast(di, hn::And(idx, hn::Set(du, 15u))));
#endif
}

// 2^(k/16) for k in [0, 16) as float bits: Expm1Lut16::table with k << 19 put back.
struct Exp2Lut16 {
  alignas(64) std::uint32_t bits[16];
};
constexpr Exp2Lut16 MakeExp2Lut16() {
  Exp2Lut16 r{};
  for (std::uint32_t k = 0; k < 16; ++k) r.bits[k] = Expm1Lut16::table[k] + (k << 19);
  return r;
}

// s = 2^(N/16), where nb holds N in its low mantissa bits (n + magic_bias as bits) and n = N/16.
// AVX-512: the table value scaled by 2^floor(n) with one VSCALEFPS (floor(N/16) = N div 16, and
// k = N mod 16 indexes the table), one instruction instead of a shift and an add. Elsewhere:
// the bits of the bias-adjusted table plus nb << 19, which carries N div 16 into the exponent.
// Both give the same bits, since the clamp at kEluSaturation keeps s a normal float.
template <class DU, class VU = hn::Vec<DU>>
HWY_INLINE VF Exp2Lut16Scale(DF d, DU du, VU nb, VF n) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  (void)du;
  static constexpr Exp2Lut16 kExp2 = MakeExp2Lut16();
  const VF table_value = hn::BitCast(d, Lookup16(du, kExp2.bits, nb));
  return VF{_mm512_scalef_ps(table_value.raw, n.raw)};
#else
  (void)n;
  return hn::BitCast(d, hn::Add(Lookup16(du, Expm1Lut16::table, nb), hn::ShiftLeft<19>(nb)));
#endif
}

// The three forms of the expm1 below, from the most to the least exact:
//   kCorrectedP3: rr1-lut16-p3 plus the table correction, f32 `vectorized` and bias variants
//                 (<= 2 ULP with alpha = 1, measured 2 over [-17.5, 0]);
//   kP3:          XNNPACK's rr1-lut16-p3, f32 `fast` (<= 5 ULP, absolute error < 2^-22);
//   kP2:          rr1-lut16-p2, e^t - 1 = t + t*t/2, for 16-bit outputs of every variant: its
//                 relative error (t^2/6 <= 7.9e-5, 2^-13.6) is at most 1/6 of an f16 ULP
//                 (2^-11 relative at the top of a binade), so the one rounding to f16/bf16 keeps <= 1 ULP (checked on all 65,536
//                 inputs), and one FMA fewer pays for the conversions.
enum class Expm1Form { kCorrectedP3, kP3, kP2 };
template <Dtype T>
constexpr Expm1Form kAccurateForm = T == Dtype::f32 ? Expm1Form::kCorrectedP3 : Expm1Form::kP2;
template <Dtype T>
constexpr Expm1Form kFastForm = T == Dtype::f32 ? Expm1Form::kP3 : Expm1Form::kP2;

// alpha * expm1(max(x, kEluSaturation)) the XNNPACK way, rr1-lut16-p3 (elubench::Expm1Lut16
// has the constants and elubench::elu_lut16_p3 the same operations in scalar code):
// x = N*ln2/16 + t with one-constant range reduction (ELU's outputs stay within [-alpha, 0], so
// the reduction error |N/16|*|ln2 - float(ln2)| <= 25 * 1.9e-9 stays far below half an ULP of
// the result), s = 2^(N/16) from a 16-entry table and the exponent, e^t - 1 = t + t*t*(c2 + c3*t),
// and the rebuild alpha*(s - 1) + alpha*s*t*(1 + p): alpha*(s - 1) is one rounding, and near 0
// (N = 0, s = 1) the result is t + t*p, so x = -1e-8 gives -1e-8 and subnormals stay
// themselves. kCorrectedP3 adds the table entry's rounding error to t (a second lookup and an
// add); kP3 is XNNPACK's kernel; kP2 drops c3. The clamp at kEluSaturation keeps 2^n a normal
// float; below it the result rounds to -alpha. NaN lanes come out as -alpha (Max drops NaN):
// the callers' select puts x back there.
template <Expm1Form kForm>
HWY_INLINE VF AlphaExpm1Lut16(DF d, VF x, VF alpha) {
  using C = Expm1Lut16;
  const hn::RebindToUnsigned<DF> du;
  const VF z = hn::Max(x, hn::Set(d, kEluSaturation));
  const VF biased = hn::MulAdd(z, hn::Set(d, C::log2e), hn::Set(d, C::magic_bias));
  const auto nb = hn::BitCast(du, biased);
  const VF n = hn::Sub(biased, hn::Set(d, C::magic_bias));
  const VF s = Exp2Lut16Scale(d, du, nb, n);
  VF t = hn::MulAdd(n, hn::Set(d, C::minus_ln2), z);
  if constexpr (kForm == Expm1Form::kCorrectedP3) t = hn::Add(t, hn::BitCast(d, Lookup16(du, C::correction, nb)));
  VF p;
  if constexpr (kForm == Expm1Form::kP2) {
    p = hn::Mul(hn::Set(d, 0.5f), t);
  } else {
    p = hn::Mul(hn::MulAdd(hn::Set(d, C::c3), t, hn::Set(d, C::c2)), t);
  }
  t = hn::Mul(t, s);
  const VF alpha_s_minus_1 = hn::MulSub(s, alpha, alpha);
  p = hn::MulAdd(p, t, t);
  return hn::MulAdd(p, alpha, alpha_s_minus_1);
}

// The CPU SIMD math backend of the traits (activations.hpp lists the operations): Highway
// vectors of floats. scaled_expm1 is the rr1-lut16 expm1 above in the form kForm; exp is
// Highway's (<= 1 ULP), with +inf past 88.7 as the traits expect; erf(x / sqrt 2) is XNNPACK's
// rational 12/10 approximation (f32-vgelu): odd numerator over even denominator in x, clamped
// where it reaches +-1.
template <Expm1Form kForm>
struct SimdMath {
  // Plain inline, not HWY_INLINE (always_inline): the trait calling these is compiled without
  // the target, and GCC refuses an always_inline call across targets; ForwardOp's flatten
  // inlines them all the same.
  using V = VF;
  DF d;
  inline V c(float k) const { return hn::Set(d, k); }
  inline V add(V a, V b) const { return hn::Add(a, b); }
  inline V sub(V a, V b) const { return hn::Sub(a, b); }
  inline V mul(V a, V b) const { return hn::Mul(a, b); }
  inline V div(V a, V b) const { return hn::Div(a, b); }
  inline V min(V a, V b) const { return hn::IfThenElse(hn::Lt(b, a), b, a); }  // keeps NaN in a
  inline V max(V a, V b) const { return hn::IfThenElse(hn::Lt(a, b), b, a); }
  inline V fma(V a, V b, V c) const { return hn::MulAdd(a, b, c); }
  inline V if_le0(V x, V a, V b) const { return hn::IfThenElse(hn::Le(x, hn::Zero(d)), a, b); }
  inline V if_lt0(V x, V a, V b) const { return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), a, b); }
  // zero() is a tag, so that if_le0(x, zero(), b) is one masked AND (IfThenZeroElse), not a
  // blend with a zero register (measured: one instruction per vector more on AVX2 for ReLU).
  struct ZeroTag {};
  inline ZeroTag zero() const { return {}; }
  inline V if_le0(V x, ZeroTag, V b) const { return hn::IfThenZeroElse(hn::Le(x, hn::Zero(d)), b); }
  inline V scaled_expm1(V x, V s) const { return AlphaExpm1Lut16<kForm>(d, x, s); }
  inline V exp(V x) const {
    // Highway's Exp is valid up to 104; Min also maps NaN to 100 (the traits carry NaN in x).
    const V e = hn::Exp(d, hn::Min(x, hn::Set(d, 100.0f)));
    return hn::IfThenElse(hn::Gt(x, hn::Set(d, 88.7228394f)), hn::Set(d, HUGE_VALF), e);
  }
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
    return hn::Div(hn::Mul(xc, p), q);
  }
};

// The per-vector operations the loops below call: trait T's forward on x, or its backward on
// (saved, dy). The trait is a plain template compiled outside the target region, so GCC does not
// inline the backend into it on its own; the loops that call these ops are `flatten` functions
// (kFlat below), which inline the op, the trait and every backend call into this target's loop.
template <class T, Expm1Form kForm>
struct ForwardOp {
  ActivationParams p;
  VF operator()(DF d, VF x) const { return T::forward(SimdMath<kForm>{d}, x, p); }
};
template <class T, Expm1Form kForm>
struct BackwardOp {
  ActivationParams p;
  VF operator()(DF d, VF saved, VF dy) const {
    return T::backward(SimdMath<kForm>{d}, dy, saved, p);
  }
};
// Forward after adding the bias (fused_bias): op(x, b) = f(x + b).
template <class T, Expm1Form kForm>
struct BiasForwardOp {
  ActivationParams p;
  VF operator()(DF d, VF x, VF b) const {
    return T::forward(SimdMath<kForm>{d}, hn::Add(x, b), p);
  }
};

// A loop over a chunk: one call per chunk, and everything it calls inlined into it (see ForwardOp).
#ifndef ELUBENCH_FLAT_LOOP
#define ELUBENCH_FLAT_LOOP HWY_NOINLINE __attribute__((flatten))
#endif

// y[i] = op(x[i]) for i in [begin, end), any alignment. The last partial vector goes through
// a one-vector stack buffer so it runs the very same SIMD code (same results as the body)
// without touching memory past the end of x or y.
template <Dtype T, class Op>
ELUBENCH_FLAT_LOOP void MapUnary(const void* x, void* y, std::size_t begin, std::size_t end, const Op& op_in) {
  // A local copy of the op (and what it captured by value, e.g. alpha): the stores through y
  // may alias the caller's copy, which would make the compiler reload it for every vector.
  const Op op = op_in;
  const DF d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = begin;
  // Four vectors per iteration: ELU's ~40-cycle dependency chain per vector needs several in
  // flight, and the unrolled body lets the core overlap them (measured: the single-vector loop
  // was latency-bound in cache).
  for (; i + 4 * N <= end; i += 4 * N) {
    const VF v0 = LoadF<T>(d, x, i), v1 = LoadF<T>(d, x, i + N);
    const VF v2 = LoadF<T>(d, x, i + 2 * N), v3 = LoadF<T>(d, x, i + 3 * N);
    StoreF<T>(d, op(d, v0), y, i);
    StoreF<T>(d, op(d, v1), y, i + N);
    StoreF<T>(d, op(d, v2), y, i + 2 * N);
    StoreF<T>(d, op(d, v3), y, i + 3 * N);
  }
  for (; i + N <= end; i += N) StoreF<T>(d, op(d, LoadF<T>(d, x, i)), y, i);
  if (i < end) {
    const std::size_t es = dtype_size(T), bytes = (end - i) * es;
    HWY_ALIGN unsigned char bx[HWY_MAX_BYTES] = {};
    HWY_ALIGN unsigned char by[HWY_MAX_BYTES];
    std::memcpy(bx, static_cast<const unsigned char*>(x) + i * es, bytes);
    StoreF<T>(d, op(d, LoadF<T>(d, bx, 0)), by, 0);
    std::memcpy(static_cast<unsigned char*>(y) + i * es, by, bytes);
  }
}

// y[i] = op(x[i], b[i]) for i in [0, len): the same, with a second input (the bias row, or a
// backward's dy).
template <Dtype T, class Op>
ELUBENCH_FLAT_LOOP void MapBinary(const void* x, const void* b, void* y, std::size_t len, const Op& op_in) {
  const Op op = op_in;  // as in MapUnary
  const DF d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  // Unrolled as MapUnary: the backward's derivatives are long dependency chains too.
  for (; i + 4 * N <= len; i += 4 * N) {
    const VF x0 = LoadF<T>(d, x, i), x1 = LoadF<T>(d, x, i + N);
    const VF x2 = LoadF<T>(d, x, i + 2 * N), x3 = LoadF<T>(d, x, i + 3 * N);
    const VF b0 = LoadF<T>(d, b, i), b1 = LoadF<T>(d, b, i + N);
    const VF b2 = LoadF<T>(d, b, i + 2 * N), b3 = LoadF<T>(d, b, i + 3 * N);
    StoreF<T>(d, op(d, x0, b0), y, i);
    StoreF<T>(d, op(d, x1, b1), y, i + N);
    StoreF<T>(d, op(d, x2, b2), y, i + 2 * N);
    StoreF<T>(d, op(d, x3, b3), y, i + 3 * N);
  }
  for (; i + N <= len; i += N) StoreF<T>(d, op(d, LoadF<T>(d, x, i), LoadF<T>(d, b, i)), y, i);
  if (i < len) {
    const std::size_t es = dtype_size(T), bytes = (len - i) * es;
    HWY_ALIGN unsigned char bx[HWY_MAX_BYTES] = {};
    HWY_ALIGN unsigned char bb[HWY_MAX_BYTES] = {};
    HWY_ALIGN unsigned char by[HWY_MAX_BYTES];
    std::memcpy(bx, static_cast<const unsigned char*>(x) + i * es, bytes);
    std::memcpy(bb, static_cast<const unsigned char*>(b) + i * es, bytes);
    StoreF<T>(d, op(d, LoadF<T>(d, bx, 0), LoadF<T>(d, bb, 0)), by, 0);
    std::memcpy(static_cast<unsigned char*>(y) + i * es, by, bytes);
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
