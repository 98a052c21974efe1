// cpu/elu/sleef: ELU the way PyTorch's CPU kernel computes it, on SLEEF's vector expm1
// (Debian's libsleef 3.5). PyTorch's elu_kernel maps each SIMD vector through
//   all lanes > 0 ? x : blend(expm1(x) * alpha, x, x > 0)
// with Sleef_expm1f*_u10 (documented bound 1.0 ULP): the exponential is skipped when a whole
// vector is positive, which is what makes it fast on ReLU-like data. We do the same, on the
// widest ISA this CPU has, chosen once at run time: AVX-512F, AVX2 (+FMA), SSE4.1, else scalar. Each
// ISA's loop is compiled for that ISA with a target attribute (the rest of elubench stays
// baseline x86-64), so one binary runs everywhere.
// Accuracy: expm1 within 1 ULP, then one rounding of the product with alpha, so within the
// `accurate` class (<= 2 ULP with alpha = 1, <= 3 otherwise), and held to it.
// No ReLU row: SLEEF has no ReLU (PyTorch's is a clamp in ATen), and a max() loop under SLEEF's
// name would be our vectorized ReLU again.
#include <immintrin.h>
#include <sleef.h>

#include <cstring>
#include <string>

#include "cpu_variants.hpp"
#include "parallel.hpp"

// sleef.h declares the 256- and 512-bit functions only when the translation unit is compiled
// with -mavx / -mavx512f; the symbols are in libsleef regardless. Declared here as sleef.h
// spells them, and called only from functions compiled for that ISA.
extern "C" {
__m256 Sleef_expm1f8_u10avx2(__m256);
__m512 Sleef_expm1f16_u10avx512f(__m512);
}

namespace elubench::cpu {

namespace {

// One vector each, as PyTorch's Vectorized<float> ELU: lanes > 0 keep x; NaN is not > 0, so
// expm1 carries it through. (Lambdas do not inherit a target attribute, hence functions.)
__attribute__((target("avx512f"))) __m512 elu16(__m512 v, __m512 va) {
  const __mmask16 pos = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
  if (pos == 0xFFFF) return v;
  return _mm512_mask_blend_ps(pos, _mm512_mul_ps(Sleef_expm1f16_u10avx512f(v), va), v);
}
__attribute__((target("avx2,fma"))) __m256 elu8(__m256 v, __m256 va) {
  const __m256 pos = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
  if (_mm256_movemask_ps(pos) == 0xFF) return v;
  return _mm256_blendv_ps(_mm256_mul_ps(Sleef_expm1f8_u10avx2(v), va), v, pos);
}
__attribute__((target("sse4.1"))) __m128 elu4(__m128 v, __m128 va) {
  const __m128 pos = _mm_cmpgt_ps(v, _mm_setzero_ps());
  if (_mm_movemask_ps(pos) == 0xF) return v;
  return _mm_blendv_ps(_mm_mul_ps(Sleef_expm1f4_u10sse4(v), va), v, pos);
}

__attribute__((target("avx512f"))) void elu_avx512f(const float* x, float* y, std::size_t n, float alpha) {
  const __m512 va = _mm512_set1_ps(alpha);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, elu16(_mm512_loadu_ps(x + i), va));
  if (i < n) {  // masked tail: lanes past n read as 0 and are not stored
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, m, elu16(_mm512_maskz_loadu_ps(m, x + i), va));
  }
}

__attribute__((target("avx2,fma"))) void elu_avx2(const float* x, float* y, std::size_t n, float alpha) {
  const __m256 va = _mm256_set1_ps(alpha);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, elu8(_mm256_loadu_ps(x + i), va));
  if (i < n) {
    static constexpr int kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    const __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - (n - i)));
    _mm256_maskstore_ps(y + i, m, elu8(_mm256_maskload_ps(x + i, m), va));
  }
}

__attribute__((target("sse4.1"))) void elu_sse4(const float* x, float* y, std::size_t n, float alpha) {
  const __m128 va = _mm_set1_ps(alpha);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, elu4(_mm_loadu_ps(x + i), va));
  if (i < n) {  // SSE has no masked float load: the tail goes through a zeroed vector
    float buf[4] = {};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    _mm_storeu_ps(buf, elu4(_mm_loadu_ps(buf), va));
    std::memcpy(y + i, buf, (n - i) * sizeof(float));
  }
}

// x86-64 before SSE4.1 (pre-2008): SLEEF's portable scalar expm1, element by element.
void elu_scalar(const float* x, float* y, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : Sleef_expm1f1_u10purec(x[i]) * alpha;
}

using Loop = void (*)(const float*, float*, std::size_t, float);
struct Isa {
  Loop loop;
  const char* name;
};

Isa pick_isa() {
  __builtin_cpu_init();  // may run before libgcc's constructor when called during static init
  if (__builtin_cpu_supports("avx512f")) return {elu_avx512f, "AVX512F"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {elu_avx2, "AVX2"};
  if (__builtin_cpu_supports("sse4.1")) return {elu_sse4, "SSE4"};
  return {elu_scalar, "scalar"};
}

const Isa& isa() {
  static const Isa chosen = pick_isa();
  return chosen;
}

}  // namespace

const char* sleef_isa() { return isa().name; }

const char* sleef_elu_description() {
  static const std::string s = std::string("PyTorch's CPU ELU on SLEEF Sleef_expm1f_u10, ") + isa().name +
                               " (widest ISA at run time), expm1 skipped for all-positive vectors";
  return s.c_str();
}

void sleef_elu_f32(const RunArgs& a) {
  const Loop loop = isa().loop;
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    loop(static_cast<const float*>(a.x) + begin, static_cast<float*>(a.y) + begin, end - begin, a.params[Elu::kAlpha]);
  });
}

}  // namespace elubench::cpu
