// cpu/*/vectorized: the naive loop made SIMD with Highway, for every activation (its trait's math
// on the SimdMath backend), forward and backward, compiled for every x86 target and
// dispatched at run time to the best one this CPU supports (AVX2 here, AVX-512 where present).
// Against naive: 8 or 16 lanes per instruction instead of one, and an own expm1 instead of a
// libm call per element: per SIMD target the cheapest form that keeps <= 2 ULP (expm1-inl.h; the
// table-free rr1-p6 on AVX2 and AVX-512), cancellation-free near 0. 16-bit dtypes are widened to
// float in registers (F16C / shifts) and rounded back once (F16C; VCVTNE2PS2BF16 where the CPU
// has AVX512-BF16), with a shorter polynomial: a 16-bit result needs 11 or 8 bits, and the FMAs
// saved pay for the conversions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "vectorized.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include "cpu_variants.hpp"
#include "parallel.hpp"
#include "simd-inl.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <hwy/cache_control.h>

#ifndef ELUBENCH_CPU_VECTORIZED_STREAM_ONCE
#define ELUBENCH_CPU_VECTORIZED_STREAM_ONCE
namespace elubench::cpu {
// Non-temporal stores for f32 when x and y together exceed the last-level cache: y's lines are
// then not in cache, and a plain store first reads each line (write-allocate), a third of the
// traffic; a streamed store writes the line whole. In cache they would evict y for nothing, so
// below the cache size the plain stores stay. Decided once per process, from the size the C
// library reports; ELUBENCH_CPU_STREAM_BYTES (bytes of x + y; 0 = never) overrides it, for the tests and
// for machines whose last-level cache is slower than its size suggests.
// Measured (2-core Xeon VM, 300 MiB L3, elubench under chrt -f, 2^26 f32, this path against the
// same build without it, two alternating runs each, GB/s): ReLU 1 thread 11-12 -> 15-16,
// 2 threads 21 -> 29 (the non-temporal copy of the same run: 15-17, 29-30); ELU 1 thread
// 9-10 -> 10.5, 2 threads 17 -> 18. There the non-temporal copy also beats the plain one from
// 2^19 elements (past the 2 MiB L2) on, which the L3-size rule leaves unused.
inline bool stream_f32_stores(std::size_t n) {
  static const std::size_t threshold = [] {
    if (const char* env = std::getenv("ELUBENCH_CPU_STREAM_BYTES")) return static_cast<std::size_t>(std::strtoull(env, nullptr, 10));
    const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    return l3 > 0 ? static_cast<std::size_t>(l3) : std::size_t{0};
  }();
  return threshold > 0 && 2 * n * sizeof(float) > threshold;
}
}  // namespace elubench::cpu
#endif

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {

// MapUnary with non-temporal stores into the 64-byte-aligned body of y (f32 only: the 16-bit
// stores are half vectors built in simd-inl.h). Head and tail take MapUnary's plain path; the
// fence makes this thread's streamed stores complete before it reports its chunk done.
template <Dtype T, class Op>
ELUBENCH_FLAT_LOOP void MapUnaryMaybeStream(const RunArgs& a, std::size_t begin, std::size_t end, const Op& op) {
  const auto y_at = [&](std::size_t i) { return reinterpret_cast<std::uintptr_t>(static_cast<float*>(a.y) + i); };
  if constexpr (T != Dtype::f32) {
    MapUnary<T>(a.x, a.y, begin, end, op);
  } else {
    if (!stream_f32_stores(a.n) || y_at(begin) % sizeof(float) != 0) return MapUnary<T>(a.x, a.y, begin, end, op);
    const DF d;
    const std::size_t N = hn::Lanes(d);
    const std::size_t head = std::min(end - begin, (64 - y_at(begin) % 64) % 64 / sizeof(float));
    MapUnary<T>(a.x, a.y, begin, begin + head, op);
    const float* x = static_cast<const float*>(a.x);
    float* y = static_cast<float*>(a.y);
    std::size_t i = begin + head;
    for (; i + 4 * N <= end; i += 4 * N) {
      const VF v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + N);
      const VF v2 = hn::LoadU(d, x + i + 2 * N), v3 = hn::LoadU(d, x + i + 3 * N);
      hn::Stream(op(d, v0), d, y + i);
      hn::Stream(op(d, v1), d, y + i + N);
      hn::Stream(op(d, v2), d, y + i + 2 * N);
      hn::Stream(op(d, v3), d, y + i + 3 * N);
    }
    MapUnary<T>(a.x, a.y, i, end, op);
    hwy::FlushStream();
  }
}

// Forward: y = f(x), streamed stores for large f32. Backward: dx = f'-formula(saved, dy).
template <Activation A, Dtype T>
void Vectorized(const RunArgs& a) {
  using Trait = trait_t<A>;
  if constexpr (pass_of<A> == Pass::forward) {
    const ForwardOp<Trait, kAccurateNeed<T>> op{a.params};
    parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) { MapUnaryMaybeStream<T>(a, begin, end, op); });
  } else {
    const BackwardOp<Trait, kAccurateNeed<T>> op{a.params};
    const std::size_t es = dtype_size(T);
    parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
      MapBinary<T>(static_cast<const char*>(a.x) + begin * es, static_cast<const char*>(a.grad) + begin * es,
                   static_cast<char*>(a.y) + begin * es, end - begin, op);
    });
  }
}
// Every activation, both passes, every dtype.
template <Activation A, Dtype T>
struct VectorizedFamily {
  static constexpr RunFn run() { return &Vectorized<A, T>; }
};
RunFn VectorizedLookup(Activation a, Dtype d) { return rows::kernel_table<VectorizedFamily>(a, d); }

const char* Expm1FormName(Expm1Need need) {
  switch (need) {
    case Expm1Need::accurate_f32: return kExpm1FormName<Expm1Need::accurate_f32>;
    case Expm1Need::fast_f32: return kExpm1FormName<Expm1Need::fast_f32>;
    case Expm1Need::f16: return kExpm1FormName<Expm1Need::f16>;
    case Expm1Need::bf16: return kExpm1FormName<Expm1Need::bf16>;
  }
  return nullptr;
}

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {
HWY_EXPORT(VectorizedLookup);
RunFn vectorized_kernel(Activation a, Dtype d) { return HWY_DYNAMIC_DISPATCH(VectorizedLookup)(a, d); }
HWY_EXPORT(Expm1FormName);
const char* expm1_form_name(Expm1Need need) { return HWY_DYNAMIC_DISPATCH(Expm1FormName)(need); }
}  // namespace elubench::cpu
#endif
