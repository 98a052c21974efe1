// The CPU thread pool (kernels/cpu/parallel.hpp): every index runs exactly once whatever the
// size and thread count, chunks start on 64-byte boundaries, the split is planned from what was
// measured and a split measured slower is not taken, the threads a call used are recorded, and
// the pool survives concurrent callers and a throwing chunk.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "elubench/cpu.hpp"
#include "elubench/registry.hpp"
#include "parallel.hpp"

using namespace elubench;
using namespace elubench::cpu;

namespace {

// Runs parallel_for and counts how often each index was visited and by how many distinct chunks.
struct Coverage {
  std::vector<int> hits;
  std::vector<Range> chunks;
};
Coverage cover(std::size_t n, int threads) {
  Coverage c;
  auto hits = std::make_unique<std::atomic<int>[]>(n + 1);
  std::mutex mu;
  parallel_for(n, threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) hits[i].fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mu);
    c.chunks.push_back({b, e});
  });
  for (std::size_t i = 0; i < n; ++i) c.hits.push_back(hits[i].load());
  return c;
}

}  // namespace

TEST(Pool, EveryIndexExactlyOnce) {
  for (int threads : {1, 2, 3, 4, 7})
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{8191}, std::size_t{8192},
                          std::size_t{28677}, kAlwaysSplitFrom + 5, std::size_t{1} << 20})
      for (int repeat = 0; repeat < 3; ++repeat) {  // the same workers again: no stale hand-off
        const Coverage c = cover(n, threads);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(c.hits[i], 1) << "index " << i << " n=" << n << " threads=" << threads;
        EXPECT_LE(c.chunks.size(), static_cast<std::size_t>(threads));
      }
}

TEST(Pool, ChunksStartOnCacheLines) {
  for (std::size_t es : {std::size_t{2}, std::size_t{4}})
    for (int t : {2, 3, 4, 5})
      for (std::size_t n : {std::size_t{1000}, std::size_t{20497}, (std::size_t{1} << 20) + 3})
        for (std::size_t lead : {std::size_t{0}, std::size_t{100}, std::size_t{5000}, n}) {
          std::size_t expect_begin = 0;
          for (int k = 0; k < t; ++k) {
            const Range r = chunk_of(n, t, k, lead);
            EXPECT_EQ(r.begin, expect_begin) << "contiguous, in order";
            EXPECT_LE(r.begin, r.end);
            if (r.begin < r.end)  // an empty chunk (begin = n) writes nothing
              EXPECT_EQ(r.begin * es % 64, 0u) << "chunk " << k << " of " << t << ", n=" << n << ", " << es << "-byte elements";
            expect_begin = r.end;
          }
          EXPECT_EQ(expect_begin, n) << "the last chunk ends at n";
          const Range caller = chunk_of(n, t, 0, lead), worker = chunk_of(n, t, 1, lead);
          EXPECT_GE(caller.end - caller.begin + kChunkAlign, worker.end - worker.begin + std::min(lead, n / t))
              << "the caller's chunk is longer by the lead";
        }
}

// The plan from what was measured (ticks per element on one thread and split, the hand-off).
TEST(Pool, PlanFollowsTheMeasurements) {
  EXPECT_EQ(plan_for(1 << 20, 1, 1.0, 0.0, 100.0).threads, 1) << "asked for one";
  EXPECT_EQ(plan_for(1 << 20, 0, 1.0, 0.0, 100.0).threads, 1);
  EXPECT_EQ(plan_for(100, 2, 1.0, 0.0, 1.0).threads, 1) << "fewer than two chunks of 64";
  // Nothing measured: one thread (which gets timed) below kAlwaysSplitFrom, split from there.
  EXPECT_EQ(plan_for(kAlwaysSplitFrom - 64, 2, 0.0, 0.0, 0.0).threads, 1);
  EXPECT_EQ(plan_for(kAlwaysSplitFrom, 4, 0.0, 0.0, 0.0).threads, 4);
  // Model: t threads take (W + (t-1) h) / t; split when that is at least 20% faster.
  EXPECT_EQ(plan_for(4096, 2, 1.0, 0.0, 4096.0).threads, 1) << "W = h: no gain";
  EXPECT_EQ(plan_for(4096, 2, 1.0, 0.0, 1000.0).threads, 2) << "W = 4h: 0.62 W";
  EXPECT_EQ(plan_for(4096, 2, 1.0, 0.0, 1000.0).lead, 1000u) << "the caller's chunk is a hand-off longer";
  EXPECT_EQ(plan_for(4096, 8, 1.0, 0.0, 10.0).threads, 8);
  // Measured both ways: the faster one, whatever the model says.
  EXPECT_EQ(plan_for(4096, 2, 1.0, 1.2, 10.0).threads, 1) << "a split measured slower";
  EXPECT_EQ(plan_for(4096, 2, 1.0, 0.9, 4096.0).threads, 2) << "a split measured faster";
}

// A split that turns out slower than one thread (here its worker chunks sleep) is not kept:
// after the first calls, only the runs that re-check it split (1 in 4096 calls in the long run).
TEST(Pool, ASplitMeasuredSlowerIsNotTaken) {
  const std::size_t n = 1 << 14;
  int split_calls = 0;
  for (int call = 0; call < 200; ++call) {
    reset_last_call_threads();
    parallel_for(n, 2, [](std::size_t b, std::size_t e) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(b == 0 ? e / 256 : 2000);
      while (std::chrono::steady_clock::now() < until) {}  // 64 us of work alone, a 2 ms worker chunk
    });
    split_calls += last_call_threads() > 1;
  }
  EXPECT_LE(split_calls, 40) << "a 2 ms worker chunk against 64 us of work alone";
}

TEST(Pool, ThreadsUsedAreRecorded) {
  for (auto [n, asked, want] : {std::tuple{std::size_t{100}, 2, 1}, std::tuple{kAlwaysSplitFrom, 2, 2},
                                std::tuple{kAlwaysSplitFrom, 4, 4}, std::tuple{kAlwaysSplitFrom, 1, 1}}) {
    reset_last_call_threads();
    std::atomic<int> chunks{0};
    parallel_for(n, asked, [&](std::size_t, std::size_t) { chunks.fetch_add(1); });
    EXPECT_EQ(last_call_threads(), want) << "n=" << n << " asked " << asked;
    EXPECT_EQ(chunks.load(), want);
  }
  // Through the registry, as elubench records it: our variants report, so do the copies. A first
  // call from kAlwaysSplitFrom splits; a small one runs (timed) on one thread.
  std::vector<float> x(kAlwaysSplitFrom, 1.0f), y(x.size());
  for (const char* name : {"cpu/elu/vectorized/f32", "cpu/copy/nontemporal/f32", "cpu/copy/memcpy/f32"}) {
    const Variant* v = find_variant(name);
    ASSERT_NE(v, nullptr) << name;
    RunArgs a;
    a.x = x.data();
    a.y = y.data();
    a.threads = 2;
    for (auto [n, want] : {std::pair{x.size(), 2}, std::pair{std::size_t{4096}, 1}}) {
      a.n = n;
      reset_last_call_threads();
      v->run(a);
      EXPECT_EQ(last_call_threads(), want) << name << " n=" << n;
    }
  }
}

TEST(Pool, ConcurrentCallersBothComplete) {
  // Two threads share the pool: one holds the workers, the other runs its chunks itself.
  const std::size_t n = kAlwaysSplitFrom;
  std::vector<int> a(n), b(n);
  auto fill = [n](std::vector<int>& v, int value) {
    for (int rep = 0; rep < 50; ++rep)
      parallel_for(n, 2, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) v[i] += value;
      });
  };
  std::thread other(fill, std::ref(a), 1);
  fill(b, 2);
  other.join();
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(a[i], 50);
    ASSERT_EQ(b[i], 100);
  }
}

TEST(Pool, ThrowingChunkPropagatesAndThePoolStillWorks) {
  const std::size_t n = kAlwaysSplitFrom;
  std::atomic<std::size_t> done{0};
  EXPECT_THROW(parallel_for(n, 2,
                            [&](std::size_t b, std::size_t e) {
                              if (b == 0) throw std::runtime_error("chunk 0");
                              done += e - b;
                            }),
               std::runtime_error);
  EXPECT_EQ(done.load(), n - chunk_of(n, 2, 0).end) << "the worker's chunk finished before the throw left";
  const Coverage c = cover(n, 2);
  for (int h : c.hits) ASSERT_EQ(h, 1);
}
