// The float64 reference check of a whole output over every host core, and the digest that lets
// a GPU row's last timed output skip a second check when it is byte for byte the first's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "elubench/reference.hpp"

namespace elubench::bench {

// check_against_reference split across threads (rows of cols for bias variants), merged as
// if it had run in one piece. grad: a backward's dy (x is then its saved tensor).
CheckResult check_parallel(const Variant& v, const void* x, const void* y, std::size_t n, const ActivationParams& p,
                           const void* bias, std::size_t cols, int threads, const void* grad = nullptr);

// A 64-bit digest of `bytes` bytes, over every host core. A GPU row's last timed call whose
// output has the digest of its fully checked first call has passed the same check (the same
// input, byte for byte the same output): the second float64 check of a 2^28 row is skipped.
std::uint64_t output_digest(const void* data, std::size_t bytes);

}  // namespace elubench::bench
