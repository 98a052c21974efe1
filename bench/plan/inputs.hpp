// The data rows run on: the random input of the --input distribution, a backward's saved tensor,
// and the fan-out that makes them (and the reference checks) over every host core, so that
// 2^26 elements do not dominate the run.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

#include "cli/options.hpp"
#include "elubench/registry.hpp"

namespace elubench::bench {

// Runs job(k, begin, end) for `chunks` consecutive pieces of [0, n) (each a multiple of `unit`
// but the last), the last on the calling thread and the others on their own threads.
template <class Job>
void fan_out(std::size_t n, std::size_t chunks, std::size_t unit, const Job& job) {
  chunks = std::max<std::size_t>(1, chunks);
  const std::size_t units = unit ? n / unit : 0;
  const std::size_t per = (units + chunks - 1) / chunks * unit;
  std::vector<std::jthread> pool;
  for (std::size_t k = 0; k < chunks; ++k) {
    const std::size_t b = std::min(n, k * per), e = k + 1 == chunks ? n : std::min(n, b + per);
    if (k + 1 == chunks) job(k, b, e);
    else pool.emplace_back([&job, k, b, e] { job(k, b, e); });
  }
}

// The host's hardware threads, at least 1.
inline std::size_t host_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

// Random input of n elements of dtype d from the --input distribution, never zero (a zero
// would hide a wrong sign or a missing exponential). Parallel and deterministic for a given
// seed.
void fill_input(void* dst, std::size_t n, Dtype d, Input dist, unsigned seed);

// make_saved_input (reference.hpp) split across threads: a backward row of 2^26 elements.
void make_saved_input_parallel(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p);

}  // namespace elubench::bench
