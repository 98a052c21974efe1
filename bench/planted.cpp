// Test-only: planted wrong kernels, linked only into elubench_planted (a test build of the
// elubench binary), never into elubench, its registry or --list. Each is a failure that a
// benchmark must turn into `failed`, never into a number (tests/bench_trust_test.sh):
//   planted_lazy       correct on its first two calls (the adversarial check, the pre-timing
//                      check), then returns without writing: caught by the timed-call check.
//   planted_negbranch  1.5x too large for x <= 0 only: with --input positive the timed input
//                      never reaches it; caught by the adversarial input.
//   planted_overcount  correct, but its registry row claims 100,000x the bytes it moves: an
//                      impossible bandwidth, caught against the copy ceiling.
#include <atomic>
#include <cmath>

#include "selectable.hpp"

namespace elubench::bench {
namespace {

float elu_ref(float x, float alpha) {
  return x > 0.0f ? x : static_cast<float>(alpha * std::expm1(static_cast<double>(x)));
}

void lazy(const RunArgs& a) {
  static std::atomic<int> calls{0};
  if (calls.fetch_add(1) >= 2) return;
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = elu_ref(x[i], a.params.alpha);
}

void negbranch(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = x[i] > 0.0f ? x[i] : 1.5f * elu_ref(x[i], a.params.alpha);
}

void overcount(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = elu_ref(x[i], a.params.alpha);
}

Variant planted(const char* variant, RunFn fn, std::size_t bytes_per_element) {
  return Variant{variant_name(Device::cpu, Activation::elu, variant, Dtype::f32), Device::cpu, Activation::elu,
                 variant, Dtype::f32, Kind::kernel, Accuracy::accurate, false, bytes_per_element, fn,
                 "test-only planted failure"};
}

const bool registered = [] {
  register_test_variant(planted("planted_lazy", lazy, 8));
  register_test_variant(planted("planted_negbranch", negbranch, 8));
  register_test_variant(planted("planted_overcount", overcount, 800000));
  return true;
}();

}  // namespace
}  // namespace elubench::bench
