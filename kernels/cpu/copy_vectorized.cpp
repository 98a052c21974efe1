// cpu/copy/vectorized: a copy ceiling that is the load/store loop our kernels run, with no math.
// Against memcpy: glibc switches to non-temporal stores above a size it tunes per CPU (and to
// `rep movsb` elsewhere), which can be slower than plain stores on a given machine, so a
// kernel's ordinary SIMD stores could beat "the ceiling". This loop streams the bytes with the
// widest vectors Highway dispatches to, four in flight, as MapUnary does; the run keeps the
// fastest copy per cell (bench/results/ceilings.cpp derive_metrics). Bytes only: every dtype copies alike.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "copy_vectorized.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include <cstring>

#include "cpu_variants.hpp"
#include "parallel.hpp"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void CopyVectorizedBytes(const unsigned char* x, unsigned char* y, std::size_t bytes) {
  if (bytes == 0) return;  // n = 0 may come with null pointers, which memcpy must never see
  const hn::ScalableTag<unsigned char> d;
  const std::size_t N = hn::Lanes(d);
  std::size_t i = 0;
  for (; i + 4 * N <= bytes; i += 4 * N) {
    const auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + N);
    const auto v2 = hn::LoadU(d, x + i + 2 * N), v3 = hn::LoadU(d, x + i + 3 * N);
    hn::StoreU(v0, d, y + i);
    hn::StoreU(v1, d, y + i + N);
    hn::StoreU(v2, d, y + i + 2 * N);
    hn::StoreU(v3, d, y + i + 3 * N);
  }
  for (; i + N <= bytes; i += N) hn::StoreU(hn::LoadU(d, x + i), d, y + i);
  if (i < bytes) std::memcpy(y + i, x + i, bytes - i);  // under one vector
}

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(CopyVectorizedBytes);

namespace {
// A template per dtype, so that each is its own call site for parallel_for's cost per element.
template <Dtype D>
void copy_vectorized(const RunArgs& a) {
  parallel_copy(a, D, [](const unsigned char* x, unsigned char* y, std::size_t bytes) {
    HWY_DYNAMIC_DISPATCH(CopyVectorizedBytes)(x, y, bytes);
  });
}
}  // namespace

void copy_vectorized_f32(const RunArgs& a) { copy_vectorized<Dtype::f32>(a); }
void copy_vectorized_f16(const RunArgs& a) { copy_vectorized<Dtype::f16>(a); }
void copy_vectorized_bf16(const RunArgs& a) { copy_vectorized<Dtype::bf16>(a); }

}  // namespace elubench::cpu
#endif
