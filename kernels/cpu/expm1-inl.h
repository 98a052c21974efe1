// The expm1 of the CPU SIMD variants per Highway target: which form each target runs for each
// accuracy class (chosen as XNNPACK chooses its microkernels per ISA), and the Highway backend
// that the forms' algorithm (expm1_forms.hpp) runs on. Included by simd-inl.h once per target,
// hence the per-target include guard.
#if defined(ELUBENCH_CPU_EXPM1_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef ELUBENCH_CPU_EXPM1_INL_H_
#undef ELUBENCH_CPU_EXPM1_INL_H_
#else
#define ELUBENCH_CPU_EXPM1_INL_H_
#endif

#include <hwy/highway.h>

#include <cstdint>
#include <type_traits>

#include "expm1_forms.hpp"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The form per accuracy class on this target: accurate f32, fast f32, f16, bf16. Why, with the
// instruction counts and timings behind each choice: docs/cpu-targets.md.
//  Accurate f32: the table-free rr1-p6 (<= 2 ULP) wherever there is FMA, as XNNPACK moved its
//        AVX-512 ELU to in 2023 for the table's error: no table error to add back.
//  Fast f32: a table whose error stays in. AVX3: one VPERMD looks up 16 entries and VSCALEFPS
//        applies 2^floor(n), so rr1-lut16-p3 (XNNPACK's AVX-512 kernel); AVX2: 16 entries take
//        two permutes and a blend, 8 fit one VPERMPS, so rr1-lut8-p4.
//  16-bit: rr1-p3, whose relative error is below one f16 ULP (expm1_forms.hpp).
//  No FMA (SSE4, SSSE3, scalar; Highway rounds a MulAdd's product first): the two-constant
//        reduction, no table, no separate fast form.
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
#define ELUBENCH_EXPM1_FORMS Rr1P6, Rr1Lut16P3, Rr1P3, Rr1P3
#elif HWY_ARCH_X86 && HWY_TARGET == HWY_AVX2
#define ELUBENCH_EXPM1_FORMS Rr1P6, Rr1Lut8P4, Rr1P3, Rr1P3
#elif HWY_NATIVE_FMA
#define ELUBENCH_EXPM1_FORMS Rr1P6, Rr1P6, Rr1P3, Rr1P3
#else
#define ELUBENCH_EXPM1_FORMS Rr2P6, Rr2P6, Rr2P3, Rr2P3
#endif
template <Expm1Need kNeed, class Accurate, class Fast, class F16, class Bf16>
using PickForm = std::conditional_t<
    kNeed == Expm1Need::accurate_f32, Accurate,
    std::conditional_t<kNeed == Expm1Need::fast_f32, Fast, std::conditional_t<kNeed == Expm1Need::f16, F16, Bf16>>>;
template <Expm1Need kNeed>
using FormFor = PickForm<kNeed, ELUBENCH_EXPM1_FORMS>;
#undef ELUBENCH_EXPM1_FORMS

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;
using DU = hn::RebindToUnsigned<DF>;
using VU = hn::Vec<DU>;

// table[k] for k = the low kLog2L bits of each lane of idx: one register permute where the
// table fills a register (AVX-512: 16 entries, AVX2: 8), a gather elsewhere.
template <int kLog2L>
HWY_INLINE VU LookupBits(const std::uint32_t* HWY_RESTRICT table, VU idx) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
  static_assert(kLog2L == 4, "AVX3 looks up 16 entries");
  return VU{_mm512_permutexvar_epi32(idx.raw, _mm512_load_si512(table))};
#elif HWY_ARCH_X86 && HWY_TARGET == HWY_AVX2
  static_assert(kLog2L == 3, "AVX2 looks up 8 entries");
  return VU{_mm256_permutevar8x32_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(table)), idx.raw)};
#else
  const DU du;
  const hn::RebindToSigned<DU> di;
  return hn::GatherIndex(du, table, hn::BitCast(di, hn::And(idx, hn::Set(du, (1u << kLog2L) - 1))));
#endif
}

// 2^(k/16) as float bits (Expm1Lut16's table with k << 19 put back), for VSCALEFPS.
struct Exp2Lut16 {
  alignas(64) std::uint32_t bits[16];
};
constexpr Exp2Lut16 MakeExp2Lut16() {
  Exp2Lut16 r{};
  for (std::uint32_t k = 0; k < 16; ++k) r.bits[k] = Expm1Lut16::table[k] + (k << 19);
  return r;
}

// The backend of alpha_expm1_parts on Highway vectors (the operations of ScalarOps). Plain
// inline, as SimdMath's: the loops' flatten inlines them into the target's code.
struct SimdOps {
  using V = VF;
  DF d;
  inline V c(float k) const { return hn::Set(d, k); }
  inline V max(V a, V b) const { return hn::Max(a, b); }
  inline V sub(V a, V b) const { return hn::Sub(a, b); }
  inline V mul(V a, V b) const { return hn::Mul(a, b); }
  inline V fma(V a, V b, V c) const { return hn::MulAdd(a, b, c); }
  inline V fms(V a, V b, V c) const { return hn::MulSub(a, b, c); }
  // 2^(N/L) from biased (N in its low mantissa bits) and n = N/L: ScalarOps::exp2's bits. AVX-512
  // scales the table value by 2^floor(n) with one VSCALEFPS (floor(N/16) = N div 16) instead of
  // shifting N into the exponent and adding.
  template <class Form>
  inline V exp2(V biased, V n) const {
    const VU nb = hn::BitCast(DU(), biased);
    if constexpr (Form::log2_table == 0) {
      (void)n;
      return hn::BitCast(d, hn::ShiftLeft<23>(nb));
    } else {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
      static_assert(Form::log2_table == 4, "AVX3 has the 16-entry scalef table only");
      static constexpr Exp2Lut16 kExp2 = MakeExp2Lut16();
      return V{_mm512_scalef_ps(hn::BitCast(d, LookupBits<4>(kExp2.bits, nb)).raw, n.raw)};
#else
      (void)n;
      const VU entry = LookupBits<Form::log2_table>(Form::table::table, nb);
      return hn::BitCast(d, hn::Add(entry, hn::ShiftLeft<23 - Form::log2_table>(nb)));
#endif
    }
  }
};

// alpha * expm1(x) for x <= 0 (any value for x > 0) in this target's form for kNeed, before its
// last two operations (Expm1Parts).
template <Expm1Need kNeed>
HWY_INLINE Expm1Parts<VF> AlphaExpm1Parts(DF d, VF x, VF alpha) {
  return alpha_expm1_parts<FormFor<kNeed>>(SimdOps{d}, x, alpha);
}
// The form's name, for the registry's descriptions.
template <Expm1Need kNeed>
constexpr const char* kExpm1FormName = FormFor<kNeed>::name;

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // per-target include guard
