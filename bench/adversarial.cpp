#include "adversarial.hpp"

#include <cmath>
#include <limits>
#include <random>

#include "elubench/gpu.hpp"
#include "host_buffer.hpp"
#include "suite.hpp"
#if ELUBENCH_HAVE_CUDA
#include "gpu_clock.hpp"
#endif

namespace elubench::bench {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kEdges[] = {-0.0f, 0.0f, -1e-8f, 1e-8f, -6e-8f, -1e-40f, 1e-40f,
                            -std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::min(), -17.3f, -17.33f, -17.34f, -17.5f, -30.0f,
                            -87.0f, -88.8f, -104.0f, -200.0f, -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::max(), -1.0f, 1.0f, -0.5f, -1e-4f, -1e-3f, -0.3466f,
                            kInf, -kInf};
}  // namespace

bool expects_nan_propagation(const Variant& v) { return v.accuracy != Accuracy::library; }

std::vector<unsigned char> adversarial_input(Dtype d, std::size_t n, bool with_nan) {
  std::vector<float> edges(std::begin(kEdges), std::end(kEdges));
  if (with_nan) edges.push_back(std::numeric_limits<float>::quiet_NaN());
  std::vector<float> v(n);
  std::mt19937 rng(0xad5e4u);
  std::uniform_real_distribution<float> log_mag(-10.0f, 2.0f);
  for (std::size_t i = 0; i < n; ++i) v[i] = ((rng() & 1) ? 1.0f : -1.0f) * std::pow(10.0f, log_mag(rng));
  auto put = [&](std::size_t at) {
    for (std::size_t k = 0; k < edges.size() && at + k < n; ++k) v[at + k] = edges[k];
  };
  put(0);
  // Straddle each boundary: the last lanes of one vector/tile and the first of the next.
  for (std::size_t b = 8; b <= 1024 && b < n; b *= 2) put(b > edges.size() / 2 ? b - edges.size() / 2 : 0);
  if (n > edges.size()) put(n - edges.size());
  std::vector<unsigned char> out(n * dtype_size(d));
  for (std::size_t i = 0; i < n; ++i) store_from_float(out.data(), i, d, v[i]);
  return out;
}

CheckResult check_adversarial(const Variant& v, const ActivationParams& p, int threads) {
  const std::size_t n = kAdversarialN, es = dtype_size(v.dtype);
  const std::size_t cols = v.uses_bias ? kAdversarialCols : 0;
  const auto xin = adversarial_input(v.dtype, n, expects_nan_propagation(v));
  // The bias is finite and mixed in sign, so x + b crosses 0 in both directions.
  constexpr float kBias[kAdversarialCols] = {0.75f, -1.25f, 0.3f, -0.6f, 2.0f, -3.0f, 1e-3f};
  HostBuffer x(n * es, HostBuffer::kOffsetX), y(n * es, HostBuffer::kOffsetY), b(cols * es, HostBuffer::kOffsetBias);
  HostBuffer g(v.is_backward() ? n * es : 0, HostBuffer::kOffsetBias);
  if (v.is_backward()) {
    make_saved_input(v, xin.data(), x.data(), n, p);
    fill_input(g.data(), n, v.dtype, Input::normal, 0xad5e4u);
  } else {
    std::copy(xin.begin(), xin.end(), x.begin());
  }
  for (std::size_t j = 0; j < cols; ++j) store_from_float(b.data(), j, v.dtype, kBias[j]);
  std::fill(y.begin(), y.end(), static_cast<unsigned char>(0xAB));
  RunArgs a;
  a.n = n;
  a.params = p;
  a.cols = cols;
  a.threads = threads;
  if (v.device == Device::gpu) {
    gpu::Buffer dx(n * es), dy(n * es), db(std::max<std::size_t>(cols, 1) * es), dg(std::max<std::size_t>(g.size(), 1));
    gpu::copy_to_device(dx.get(), x.data(), n * es);
    if (v.is_backward()) gpu::copy_to_device(dg.get(), g.data(), n * es);
    a.grad = v.is_backward() ? dg.get() : nullptr;
    gpu::copy_to_device(dy.get(), y.data(), n * es);
    if (cols) gpu::copy_to_device(db.get(), b.data(), cols * es);
    a.x = dx.get();
    a.y = dy.get();
    a.bias = cols ? db.get() : nullptr;
    v.run(a);
#if ELUBENCH_HAVE_CUDA
    gpu_check_sync();
#endif
    gpu::copy_to_host(y.data(), dy.get(), n * es);
  } else {
    a.x = x.data();
    a.y = y.data();
    a.bias = cols ? b.data() : nullptr;
    a.grad = v.is_backward() ? g.data() : nullptr;
    v.run(a);
  }
  return check_against_reference(v, x.data(), y.data(), n, p, cols ? b.data() : nullptr, cols,
                                 v.is_backward() ? g.data() : nullptr);
}

}  // namespace elubench::bench
