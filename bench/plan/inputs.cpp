#include "plan/inputs.hpp"

#include <cmath>
#include <random>

#include "elubench/dtypes.hpp"
#include "elubench/reference.hpp"

namespace elubench::bench {

void fill_input(void* dst, std::size_t n, Dtype d, Input dist, unsigned seed) {
  // One random stream per chunk, seeded by its index: the same input for a seed on any machine
  // with the same chunk count (8 at most).
  fan_out(n, std::min<std::size_t>(8, host_threads()), 1, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::seed_seq seq{seed, static_cast<unsigned>(k), 0x5eedu};
    std::mt19937_64 rng(seq);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t i = b; i < e; ++i) {
      float v;
      do {
        v = normal(rng);
        if (dist == Input::negative) v = -std::fabs(v);
        if (dist == Input::positive) v = std::fabs(v);
        store_from_float(dst, i, d, v);
        // Redraw values that round to zero in the storage type (f16 underflow included).
      } while (load_as_float(dst, i, d) == 0.0f);
    }
  });
}

void make_saved_input_parallel(const Variant& v, const void* x, void* saved, std::size_t n, const ActivationParams& p) {
  const std::size_t es = dtype_size(v.dtype);
  fan_out(n, std::min(host_threads(), n / 65536 + 1), 1, [&](std::size_t, std::size_t b, std::size_t e) {
    make_saved_input(v, static_cast<const char*>(x) + b * es, static_cast<char*>(saved) + b * es, e - b, p);
  });
}

}  // namespace elubench::bench
