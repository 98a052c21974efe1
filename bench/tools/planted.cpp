// Test-only: planted wrong kernels, linked only into elubench_planted (a test build of the
// elubench binary), never into elubench, its registry or --list. Each is a failure that a
// benchmark must turn into `failed`, never into a number (tests/bench_trust_test.sh):
//   planted_lazy       correct on its first two calls (the adversarial check, the pre-timing
//                      check), then returns without writing: caught after its first timed loop.
//   planted_negbranch  1.5x too large for x <= 0 only: with --input positive the timed input
//                      never reaches it; caught by the adversarial input.
//   planted_overcount  correct, but its registry row claims 100,000x the bytes it moves: an
//                      impossible bandwidth, caught against the copy ceiling.
//   planted_zero_flip  right to the last bit except ELU(-0) = +0 (0 ULP away): caught by the
//                      sign-of-zero contract on the adversarial input, which holds -0.
// Right outputs, and a write where none may go (buffers/guards.hpp), each seen at another check:
//   planted_overrun    also writes y[n], one past the end, on every call: the adversarial call.
//   planted_overrun16  also writes y[n..n+15] (a whole vector) where 16 divides n: not the
//                      adversarial input's odd n, the row's pre-timing call.
//   planted_underrun   also writes y[-1] from its third call on: a timed loop.
//   planted_writes_x   adds 1 to x[n/2] from its third call on, then computes y from that x: a
//                      timed loop (x is read-only).
// A layer row (--layers) with a wrong epilogue, caught by the float64 layer check:
//   planted_layer_epilogue  the matmul and bias right, the activation skipped on the second
//                           half of y's rows (a tile the epilogue missed).
#include <atomic>
#include <cmath>
#include <utility>

#include "cli/selectable.hpp"

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
  for (std::size_t i = 0; i < a.n; ++i) y[i] = elu_ref(x[i], a.params[Elu::kAlpha]);
}

void negbranch(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = x[i] > 0.0f ? x[i] : 1.5f * elu_ref(x[i], a.params[Elu::kAlpha]);
}

void overcount(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = elu_ref(x[i], a.params[Elu::kAlpha]);
}

void zero_flip(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = x[i] == 0.0f ? 0.0f : elu_ref(x[i], a.params[Elu::kAlpha]);
}

void elu_all(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  auto* y = static_cast<float*>(a.y);
  for (std::size_t i = 0; i < a.n; ++i) y[i] = elu_ref(x[i], a.params[Elu::kAlpha]);
}

void overrun(const RunArgs& a) {
  elu_all(a);
  static_cast<float*>(a.y)[a.n] = 0.0f;
}

void overrun16(const RunArgs& a) {
  elu_all(a);
  if (a.n % 16 == 0)
    for (std::size_t i = a.n; i < a.n + 16; ++i) static_cast<float*>(a.y)[i] = 0.0f;
}

// Calls 1 and 2 are the adversarial and the pre-timing checks; from 3 on, timed calls.
bool timed_call() {
  static std::atomic<int> calls{0};
  return calls.fetch_add(1) >= 2;
}

void underrun(const RunArgs& a) {
  elu_all(a);
  if (timed_call()) static_cast<float*>(a.y)[-1] = 0.0f;
}

// Changes x before it reads it, so y is right for the x it leaves: only the write itself is wrong.
void writes_x(const RunArgs& a) {
  if (timed_call()) const_cast<float*>(static_cast<const float*>(a.x))[a.n / 2] += 1.0f;
  elu_all(a);
}

void layer_epilogue_skipped(const RunArgs& a) {
  const auto* x = static_cast<const float*>(a.x);
  const auto* w = static_cast<const float*>(a.w);
  const auto* b = static_cast<const float*>(a.bias);
  auto* y = static_cast<float*>(a.y);
  const LayerShape& s = a.layer;
  for (std::size_t i = 0; i < s.m; ++i)
    for (std::size_t j = 0; j < s.n; ++j) {
      double acc = b[j];
      for (std::size_t k = 0; k < s.k; ++k) acc += static_cast<double>(x[i * s.k + k]) * w[k * s.n + j];
      const float v = static_cast<float>(acc);
      y[i * s.n + j] = i < s.m / 2 ? elu_ref(v, a.params[Elu::kAlpha]) : v;
    }
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
  register_test_variant(planted("planted_zero_flip", zero_flip, 8));
  register_test_variant(planted("planted_overrun", overrun, 8));
  register_test_variant(planted("planted_overrun16", overrun16, 8));
  register_test_variant(planted("planted_underrun", underrun, 8));
  register_test_variant(planted("planted_writes_x", writes_x, 8));
  Variant layer = planted("planted_layer_epilogue", layer_epilogue_skipped, 0);
  layer.layer = LayerMethod{"planted", Epilogue::tiled};
  register_test_variant(std::move(layer));
  return true;
}();

}  // namespace
}  // namespace elubench::bench
