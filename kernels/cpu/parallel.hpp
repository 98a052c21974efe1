// Splits [0, n) across the CPU variants' threads. The threads come from one pool that lives
// for the whole process (parallel.cpp): a call wakes workers that are already running instead
// of starting threads. Whether a call is worth more threads is decided per call from what was
// measured: the pool's hand-off cost (from publishing a chunk to a worker starting it, plus from
// its end to the caller seeing it) and, per call site and size, the time per element on one
// thread and split. The caller's chunk is longer by the hand-off, so that all finish together.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "elubench/registry.hpp"

namespace elubench::cpu {

// Chunk boundaries are multiples of 64 elements: a multiple of 64 bytes (one cache line) for
// every dtype, so with a cache-line-aligned y no two threads write the same line.
constexpr std::size_t kChunkAlign = 64;

// Before a call site has been timed at a size, a call this small runs on one thread (timed,
// which teaches the cost); from this size on, the split is worth it whatever the kernel
// (2^17 elements are >= 10 us even for a copy, against a hand-off near 0.5 us).
constexpr std::size_t kAlwaysSplitFrom = std::size_t{1} << 18;

// How a call runs: on t threads, chunk 0 (the caller's) `lead` elements longer than the others.
struct Plan {
  int threads;
  std::size_t lead;
};
// The plan for n elements asked to run on `threads`, from what was measured at this size: the
// ticks per element of a single-thread call (one_cost) and of a split one (split_cost), and
// the pool's hand-off (ticks); 0: not measured. A split is taken when it was measured faster
// than one thread, and before that when the model predicts it (the workers start a hand-off
// late, so t threads take (W + (t - 1) h) / t, and the caller's chunk gets h / one_cost more
// elements so that all finish together) at least 20% faster; kAlwaysSplitFrom before anything
// is known. Pure, for the tests.
Plan plan_for(std::size_t n, int threads, double one_cost, double split_cost, double handoff);

struct Range {
  std::size_t begin, end;
};
// Chunk k of the t chunks of [0, n) when chunk 0 gets `lead` more elements than the others:
// contiguous, in order, boundaries on kChunkAlign elements, the last one ending at n. A chunk
// may be empty when n is small against t * kChunkAlign.
Range chunk_of(std::size_t n, int t, int k, std::size_t lead = 0);

namespace detail {
// A tick counter (the TSC on x86, nanoseconds elsewhere): all costs are in its unit.
std::uint64_t ticks();

// What parallel_for learns about one call site (one Body type: one kernel per dtype and SIMD
// target), per size class (log2 n): ticks per element on one thread and split (averages of
// timed calls; 0: not timed yet).
struct Site {
  static constexpr int kClasses = 48;
  std::atomic<float> one[kClasses] = {}, split[kClasses] = {};
  std::atomic<std::uint32_t> calls[kClasses] = {}, next_check[kClasses] = {};
  std::atomic<int> run[kClasses] = {};  // calls left in a run of the other choice; < 0: of one thread
};
// The plan of this call (plan_for on what the site measured at this size), and now and then a
// run of 4 calls of the other choice (a run, not one call: a worker whose half of the data sits
// in the caller's cache is slow on its first split call only), so that neither a bad measurement
// (a cold call, a worker woken from sleep) nor a change in the machine's load goes unnoticed.
// The first split is such a run; then the runs come seldom enough that the slower choice costs
// at most 1/64 of the time: every 256 (ratio - 1) calls (256 at least) where one choice took
// `ratio` times the other's time. `timed`: whether to time the call for record() (every split;
// of the single-thread calls that could split, the first 64 at a size, then 1 in 16).
struct Decision {
  Plan plan;
  bool timed;
};
Decision decide(Site& s, std::size_t n, int threads);
// What a timed call cost, on the threads it really ran on.
void record(Site& s, std::size_t n, int threads_used, std::uint64_t elapsed);

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
  static detail::Site site;  // one per Body type: per kernel, dtype and SIMD target
  const auto [plan, timed] = detail::decide(site, n, threads);
  const std::uint64_t start = timed ? detail::ticks() : 0;
  int used = 1;
  if (plan.threads <= 1) {
    detail::note_threads_used(1);
    body(std::size_t{0}, n);
  } else {
    struct Ctx {
      Body* body;
      std::size_t n, lead;
      int t;
    } ctx{&body, n, plan.lead, plan.threads};
    used = detail::pool_run(plan.threads, [](void* p, int k) {
      const Ctx& c = *static_cast<const Ctx*>(p);
      const Range r = chunk_of(c.n, c.t, k, c.lead);
      if (r.begin < r.end) (*c.body)(r.begin, r.end);
    }, &ctx);
  }
  if (timed) detail::record(site, n, used, detail::ticks() - start);
}

// The copy ceilings' shared shape: a.n elements of dtype d split across the pool, each chunk
// handed to copy_bytes(x, y, bytes) as raw bytes. Each copy and dtype passes its own lambda, so
// that each is its own call site for parallel_for.
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
