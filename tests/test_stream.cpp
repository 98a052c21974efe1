// The non-temporal store path of the vectorized f32 ReLU and ELU (kernels/cpu/vectorized.cpp),
// which elubench takes only when x and y exceed the last-level cache: forced here from a few
// KiB on through ELUBENCH_CPU_STREAM_BYTES, set before the first call of this process, so the
// aligned head, the streamed body and the plain tail are all checked against the reference.
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"
#include "elubench/registry.hpp"

using namespace elubench;

namespace {
const int kForceStream = (setenv("ELUBENCH_CPU_STREAM_BYTES", "4096", 1), 0);
}

TEST(StreamPath, VectorizedF32MatchesReferenceWithStreamedStores) {
  ASSERT_EQ(kForceStream, 0);
  for (const char* name : {"cpu/relu/vectorized/f32", "cpu/elu/vectorized/f32"}) {
    const Variant* v = find_variant(name);
    ASSERT_NE(v, nullptr) << name;
    // 513: just past the threshold; 100003 odd; 2^16 + 5 split over two threads.
    for (std::size_t n : {std::size_t{513}, std::size_t{100003}, (std::size_t{1} << 16) + 5})
      for (std::size_t offset : {0, 1, 3})  // y misaligned by 0, 4 and 12 bytes: different heads
        for (int threads : {1, 2}) {
          std::vector<float> x(n + offset), y(n + offset + 8, -7.0f);
          for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i % 97) - 60) / 7.0f;
          RunArgs a;
          a.x = x.data() + offset;
          a.y = y.data() + offset;
          a.n = n;
          a.threads = threads;
          a.params = default_params(v->activation);
          v->run(a);
          const CheckResult r = check_against_reference(*v, a.x, a.y, n, a.params, nullptr, 0);
          EXPECT_TRUE(r.ok) << name << " n=" << n << " offset=" << offset << " threads=" << threads << ": " << r.message;
          for (std::size_t i = 0; i < offset; ++i) EXPECT_EQ(y[i], -7.0f) << "wrote before y";
          for (std::size_t i = n + offset; i < y.size(); ++i) EXPECT_EQ(y[i], -7.0f) << "wrote past y";
        }
  }
}
