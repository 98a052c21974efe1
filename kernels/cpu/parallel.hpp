// Splits [0, n) across the CPU variants' threads. The threads come from one pool that lives
// for the whole process (parallel.cpp): a call wakes workers that are already running instead
// of starting threads, so a second thread pays off from a few thousand elements instead of
// the 2^18 per thread that a thread start per call needed (tens of microseconds per start).
#pragma once

#include <algorithm>
#include <cstddef>

#include "elubench/registry.hpp"

namespace elubench::cpu {

// Chunk boundaries are multiples of 64 elements: a multiple of 64 bytes (one cache line) for
// every dtype, so with a cache-line-aligned y no two threads write the same line.
constexpr std::size_t kChunkAlign = 64;

// Fewest elements worth a thread of their own. Handing a chunk to a spinning pool worker and
// waiting for it costs about 0.5-1 us (a few cache-line transfers, parallel.cpp); 2^12 f32
// elements of ELU take about 1 us on one AVX-512 core, so a second thread can only gain from
// about 2 x 2^12. Measured (2-core AVX-512 Xeon VM, elubench vectorized ELU f32 under chrt -f,
// interleaved, 2 threads vs 1): 1.3x at 2^13, 1.55-1.65x at 2^14, 1.7-1.8x at 2^15-2^17.
constexpr std::size_t kMinPerThread = std::size_t{1} << 12;

// The threads a call of n elements asked to run on `threads` really uses.
inline int threads_for(std::size_t n, int threads) {
  const std::size_t useful = std::max<std::size_t>(1, n / kMinPerThread);
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), useful));
}

struct Range {
  std::size_t begin, end;
};
// Chunk k of the t chunks of [0, n): contiguous, in order, boundaries on kChunkAlign elements,
// the last one ending at n. A chunk may be empty when n is small against t * kChunkAlign.
inline Range chunk_of(std::size_t n, int t, int k) {
  const std::size_t parts = static_cast<std::size_t>(std::max(t, 1));
  const std::size_t chunk = ((n + parts - 1) / parts + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
  const std::size_t b = std::min(n, static_cast<std::size_t>(k) * chunk);
  return {b, static_cast<std::size_t>(k) + 1 == parts ? n : std::min(n, b + chunk)};
}

namespace detail {
using Task = void (*)(void* ctx, int k);
// Runs task(ctx, k) for every k in [0, t) and returns when all have returned: k = 0 on the
// calling thread, the others on pool workers. When another thread is using the pool already,
// the caller runs every k itself. Returns the threads that ran tasks, and records it for
// last_call_threads() (elubench/cpu.hpp).
int pool_run(int t, Task task, void* ctx);
// What last_call_threads() reports for a variant that does not use parallel_for (a library
// peer with its own threads states what it was given).
void note_threads_used(int t);
}  // namespace detail

// Calls body(begin, end) on the disjoint chunks of [0, n) (chunk_of), one per thread used.
template <class Body>
void parallel_for(std::size_t n, int threads, Body&& body) {
  const int t = threads_for(n, threads);
  if (t <= 1) {
    detail::note_threads_used(1);
    body(std::size_t{0}, n);
    return;
  }
  struct Ctx {
    Body* body;
    std::size_t n;
    int t;
  } ctx{&body, n, t};
  detail::pool_run(t, [](void* p, int k) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    const Range r = chunk_of(c.n, c.t, k);
    if (r.begin < r.end) (*c.body)(r.begin, r.end);
  }, &ctx);
}

// The copy ceilings' shared shape: a.n elements of dtype d split across the pool, each chunk
// handed to copy_bytes(x, y, bytes) as raw bytes (memcpy, the SIMD copy, the streamed copy).
template <class CopyBytes>
void parallel_copy(const RunArgs& a, Dtype d, CopyBytes copy_bytes) {
  const std::size_t es = dtype_size(d);
  const auto* x = static_cast<const unsigned char*>(a.x);
  auto* y = static_cast<unsigned char*>(a.y);
  parallel_for(a.n, a.threads, [&](std::size_t begin, std::size_t end) {
    copy_bytes(x + begin * es, y + begin * es, (end - begin) * es);
  });
}

}  // namespace elubench::cpu
