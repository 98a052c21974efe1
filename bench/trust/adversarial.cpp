#include "trust/adversarial.hpp"

#include <cmath>
#include <limits>
#include <random>

#include "elubench/gpu.hpp"
#include "buffers/guards.hpp"
#include "buffers/host_buffer.hpp"
#include "plan/inputs.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sync.hpp"
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

namespace {
// The first write outside y or into a (read-only) input of the adversarial call, described; empty
// if none.
std::string adversarial_breach(std::size_t n, std::size_t cols, std::size_t es, const HostBuffer& x, const HostBuffer& y,
                               const HostBuffer& b, const HostBuffer& g) {
  struct Named {
    const char* name;
    const HostBuffer& buffer;
    std::size_t n;
  };
  if (const auto at = y.overwritten()) return describe_write_outside("y", *at, n, es);
  if (const void* p = take_input_write()) {
    for (const Named& h : {Named{"x", x, n}, Named{"dy", g, n}, Named{"bias", b, cols}})
      if (const auto at = h.buffer.offset_of(p)) return describe_input_write(h.name, *at, h.n, es);
    return "wrote into a read-only input of another row";
  }
  return {};
}

// One call of v on device copies of the host buffers (each with canary pages), its output copied
// back into y; the first write outside y or into a device input, described, or empty.
std::string run_on_device(const Variant& v, RunArgs a, const HostBuffer& x, HostBuffer& y, const HostBuffer& b,
                          const HostBuffer& g) {
  const std::size_t es = dtype_size(v.dtype), cols = a.cols;
  DeviceBuffer dx(x.size()), dy(y.size()), db(b.size()), dg(g.size());
  gpu::copy_to_device(dx.get(), x.data(), x.size());
  gpu::copy_to_device(dy.get(), y.data(), y.size());
  if (b.size()) gpu::copy_to_device(db.get(), b.data(), b.size());
  if (g.size()) gpu::copy_to_device(dg.get(), g.data(), g.size());
  a.x = dx.get();
  a.y = dy.get();
  a.bias = cols ? db.get() : nullptr;
  a.grad = v.is_backward() ? dg.get() : nullptr;
  v.run(a);
#if ELUBENCH_HAVE_CUDA
  gpu_check_sync();
#endif
  gpu::copy_to_host(y.data(), dy.get(), y.size());
  struct Named {
    const char* name;
    const DeviceBuffer& buffer;
    const HostBuffer* made_from;
    std::size_t n;
  };
  for (const Named& d : {Named{"y (device)", dy, nullptr, a.n}, Named{"x (device)", dx, &x, a.n},
                         Named{"dy (device)", dg, &g, a.n}, Named{"bias (device)", db, &b, cols}}) {
    if (const auto at = d.buffer.overwritten()) return describe_write_outside(d.name, *at, d.n, es);
    if (const auto at = d.made_from ? d.buffer.first_difference_from(d.made_from->data()) : std::nullopt)
      return describe_input_write(d.name, static_cast<std::ptrdiff_t>(*at), d.n, es);
  }
  return {};
}
}  // namespace

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
  for (HostBuffer* input : {&x, &b, &g}) input->protect();
  std::fill(y.begin(), y.end(), static_cast<unsigned char>(0xAB));
  RunArgs a;
  a.n = n;
  a.params = p;
  a.cols = cols;
  a.threads = threads;
  std::string breach;
  if (v.device == Device::gpu) {
    breach = run_on_device(v, a, x, y, b, g);
  } else {
    a.x = x.data();
    a.y = y.data();
    a.bias = cols ? b.data() : nullptr;
    a.grad = v.is_backward() ? g.data() : nullptr;
    v.run(a);
  }
  if (breach.empty()) breach = adversarial_breach(n, cols, es, x, y, b, g);
  if (!breach.empty()) {
    CheckResult r;
    r.ok = false;
    r.checked = n;
    r.message = v.name + ": " + breach;
    return r;
  }
  return check_against_reference(v, x.data(), y.data(), n, p, cols ? b.data() : nullptr, cols,
                                 v.is_backward() ? g.data() : nullptr);
}

}  // namespace elubench::bench
