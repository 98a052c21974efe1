// cpu/copy/nontemporal: the SIMD copy of copy_vectorized.cpp with non-temporal stores
// (Highway's Stream: MOVNTDQ/VMOVNTPS) into the cache-line-aligned body of y. A plain store
// to a line not in cache first reads that line (write-allocate), so a large copy moves 3 bytes
// per byte copied; a non-temporal store writes the line whole and skips the read, up to 1.5x
// less traffic once y does not fit in the last-level cache. In cache it is slower (the lines
// go to memory instead of staying), so it is one of the copies the run takes the best of per
// cell, not a replacement. The fence at the end orders the streamed stores before the call
// returns, as any kernel using them must.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "copy_nontemporal.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <cstdint>
#include <cstring>

#include "cpu_variants.hpp"
#include "parallel.hpp"

HWY_BEFORE_NAMESPACE();
namespace elubench::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void CopyNontemporalBytes(const unsigned char* x, unsigned char* y, std::size_t bytes) {
  if (bytes == 0) return;  // n = 0 may come with null pointers, which memcpy must never see
  const hn::ScalableTag<unsigned char> d;
  const std::size_t N = hn::Lanes(d);
  // Stream needs a vector-aligned destination: copy up to the first 64-byte boundary of y
  // plainly (64 is a multiple of every x86 vector width), stream the body, copy the tail.
  std::size_t head = (64 - reinterpret_cast<std::uintptr_t>(y) % 64) % 64;
  if (head > bytes) head = bytes;
  std::memcpy(y, x, head);
  std::size_t i = head;
  for (; i + 4 * N <= bytes; i += 4 * N) {
    const auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + N);
    const auto v2 = hn::LoadU(d, x + i + 2 * N), v3 = hn::LoadU(d, x + i + 3 * N);
    hn::Stream(v0, d, y + i);
    hn::Stream(v1, d, y + i + N);
    hn::Stream(v2, d, y + i + 2 * N);
    hn::Stream(v3, d, y + i + 3 * N);
  }
  for (; i + N <= bytes; i += N) hn::Stream(hn::LoadU(d, x + i), d, y + i);
  if (i < bytes) std::memcpy(y + i, x + i, bytes - i);
  hwy::FlushStream();  // sfence: this thread's streamed stores complete before it reports done
}

}  // namespace elubench::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace elubench::cpu {

HWY_EXPORT(CopyNontemporalBytes);

namespace {
// A template per dtype, so that each is its own call site for parallel_for's cost per element.
template <Dtype D>
void copy_nontemporal(const RunArgs& a) {
  parallel_copy(a, D, [](const unsigned char* x, unsigned char* y, std::size_t bytes) {
    HWY_DYNAMIC_DISPATCH(CopyNontemporalBytes)(x, y, bytes);
  });
}
}  // namespace

void copy_nontemporal_f32(const RunArgs& a) { copy_nontemporal<Dtype::f32>(a); }
void copy_nontemporal_f16(const RunArgs& a) { copy_nontemporal<Dtype::f16>(a); }
void copy_nontemporal_bf16(const RunArgs& a) { copy_nontemporal<Dtype::bf16>(a); }

}  // namespace elubench::cpu
#endif
