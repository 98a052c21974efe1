// The CPU thread pool (kernels/cpu/parallel.hpp): every index runs exactly once whatever the
// size and thread count, chunks start on 64-byte boundaries, the threads a call used are
// recorded, and the pool survives concurrent callers and a throwing chunk.
#include <gtest/gtest.h>

#include <atomic>
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
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, kMinPerThread * 2 - 1, kMinPerThread * 2,
                          kMinPerThread * 7 + 5, std::size_t{1} << 20})
      for (int repeat = 0; repeat < 3; ++repeat) {  // the same workers again: no stale hand-off
        const Coverage c = cover(n, threads);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(c.hits[i], 1) << "index " << i << " n=" << n << " threads=" << threads;
        EXPECT_LE(c.chunks.size(), static_cast<std::size_t>(threads));
      }
}

TEST(Pool, ChunksStartOnCacheLines) {
  for (std::size_t es : {std::size_t{2}, std::size_t{4}})
    for (int t : {2, 3, 4, 5})
      for (std::size_t n : {std::size_t{1000}, kMinPerThread * 5 + 17, (std::size_t{1} << 20) + 3}) {
        std::size_t expect_begin = 0;
        for (int k = 0; k < t; ++k) {
          const Range r = chunk_of(n, t, k);
          EXPECT_EQ(r.begin, expect_begin) << "contiguous, in order";
          EXPECT_LE(r.begin, r.end);
          if (r.begin < r.end)  // an empty chunk (begin = n) writes nothing
            EXPECT_EQ(r.begin * es % 64, 0u) << "chunk " << k << " of " << t << ", n=" << n << ", " << es << "-byte elements";
          expect_begin = r.end;
        }
        EXPECT_EQ(expect_begin, n) << "the last chunk ends at n";
      }
}

TEST(Pool, ThreadsUsedAreRecorded) {
  EXPECT_EQ(threads_for(kMinPerThread * 2 - 1, 2), 1) << "too small to split";
  EXPECT_EQ(threads_for(kMinPerThread * 2, 2), 2);
  EXPECT_EQ(threads_for(kMinPerThread * 3, 8), 3) << "never more threads than kMinPerThread chunks";
  EXPECT_EQ(threads_for(1 << 20, 0), 1);
  for (auto [n, asked, want] : {std::tuple{kMinPerThread, 2, 1}, std::tuple{kMinPerThread * 4, 2, 2},
                                std::tuple{kMinPerThread * 4, 4, 4}, std::tuple{kMinPerThread * 4, 1, 1}}) {
    reset_last_call_threads();
    std::atomic<int> chunks{0};
    parallel_for(n, asked, [&](std::size_t, std::size_t) { chunks.fetch_add(1); });
    EXPECT_EQ(last_call_threads(), want) << "n=" << n << " asked " << asked;
    EXPECT_EQ(chunks.load(), want);
  }
  // Through the registry, as elubench records it: our variants report, so do the copies.
  std::vector<float> x(kMinPerThread * 2, 1.0f), y(x.size());
  for (const char* name : {"cpu/elu/vectorized/f32", "cpu/copy/nontemporal/f32", "cpu/copy/memcpy/f32"}) {
    const Variant* v = find_variant(name);
    ASSERT_NE(v, nullptr) << name;
    RunArgs a;
    a.x = x.data();
    a.y = y.data();
    a.threads = 2;
    for (auto [n, want] : {std::pair{x.size(), 2}, std::pair{x.size() - 1, 1}}) {
      a.n = n;
      reset_last_call_threads();
      v->run(a);
      EXPECT_EQ(last_call_threads(), want) << name << " n=" << n;
    }
  }
}

TEST(Pool, ConcurrentCallersBothComplete) {
  // Two threads share the pool: one holds the workers, the other runs its chunks itself.
  const std::size_t n = kMinPerThread * 16;
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
  const std::size_t n = kMinPerThread * 4;
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
