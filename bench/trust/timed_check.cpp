#include "trust/timed_check.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "elubench/gpu.hpp"
#include "elubench/reference.hpp"
#include "plan/inputs.hpp"
#include "trust/reference_check.hpp"
#if ELUBENCH_HAVE_CUDA
#include "timing/gpu_sync.hpp"
#endif

namespace elubench::bench {

namespace {
constexpr unsigned char kPoison = 0xAB;  // as f32/f16/bf16: a small negative value no input maps to here
constexpr std::size_t kEdgeBytes = 4096, kStrideBytes = 4096;

// Calls f(first, last) for the element ranges a CPU row's poison covers: the first and last
// 4 KiB of the output and one element per 4 KiB page in between.
template <class F>
void for_each_poisoned(std::size_t n, std::size_t es, const F& f) {
  const std::size_t bytes = n * es;
  const std::size_t head = std::min(bytes, kEdgeBytes), tail = std::min(bytes - head, kEdgeBytes);
  f(std::size_t{0}, head / es);
  for (std::size_t b = head; b + es <= bytes - tail; b += kStrideBytes) f(b / es, b / es + 1);
  f((bytes - tail) / es, n);
}
}  // namespace

void poison_output(const Row& row, RowBuffers& b) {
  const std::size_t bytes = row.n * dtype_size(row.variant->dtype);
  if (row.variant->device == Device::gpu) {
    gpu::memset(b.dy->get(), kPoison, bytes);
#if ELUBENCH_HAVE_CUDA
    // cudaMemset runs on the legacy default stream, which does not order itself with the
    // sampler's non-blocking stream: wait, so the poison cannot land after a timed call.
    gpu_check_sync();
#endif
    return;
  }
  unsigned char* y = b.y->data();
  const std::size_t es = dtype_size(row.variant->dtype);
  for_each_poisoned(row.n, es, [&](std::size_t b, std::size_t e) { std::memset(y + b * es, kPoison, (e - b) * es); });
  benchmark::ClobberMemory();  // the poison must be stored before the timed calls run
}

std::string writes_outside(const Row& row, const RowBuffers& b, bool full) {
  const Variant& v = *row.variant;
  const std::size_t n = row.n, es = dtype_size(v.dtype), cols = row.cols.value_or(0);
  if (b.y)
    if (const auto at = b.y->overwritten()) return describe_write_outside("y", *at, n, es);
  // Any write into a protected input since the last look was this row's: no other runs meanwhile.
  if (const void* p = take_input_write()) {
    for (const auto& [name, buffer, count] : {std::tuple{"x", b.x.get(), n}, std::tuple{"dy", b.grad.get(), n},
                                              std::tuple{"bias", static_cast<const HostBuffer*>(&b.bias), cols}})
      if (const auto at = buffer ? buffer->offset_of(p) : std::nullopt) return describe_input_write(name, *at, count, es);
    return "wrote into a read-only input of another row (host address " + std::to_string(reinterpret_cast<std::uintptr_t>(p)) + ")";
  }
  if (!full) return {};
  struct Device {
    const char* name;
    const DeviceBuffer* buffer;
    const HostBuffer* made_from;  // the host input it was copied from; null for the output
    std::size_t n;
  };
  for (const Device& d : {Device{"y (device)", b.dy.get(), nullptr, n}, Device{"x (device)", b.dx.get(), b.x.get(), n},
                          Device{"dy (device)", b.dgrad.get(), b.grad.get(), n}, Device{"bias (device)", b.dbias.get(), &b.bias, cols}}) {
    if (!d.buffer) continue;
    if (const auto at = d.buffer->overwritten()) return describe_write_outside(d.name, *at, d.n, es);
    if (!d.made_from) continue;
    if (const auto at = d.buffer->first_difference_from(d.made_from->data()))
      return describe_input_write(d.name, static_cast<std::ptrdiff_t>(*at), d.n, es);
  }
  return {};
}

void fail_for_writing_outside(Row& row, RowBuffers& b, SharedBuffers& shared, const std::string& why) {
  row.status = Status::failed;
  row.reason = why;
  shared.restore_inputs();
  for (DeviceBuffer* d : {b.dx.get(), b.dy.get(), b.dgrad.get(), b.dbias.get()})
    if (d) d->arm();
}

namespace {
// The poisoned elements of a CPU row gathered into short arrays (bias rows: each element's bias
// entry), so that one small reference check covers them.
struct Gathered {
  std::vector<std::size_t> at;  // the element of y each entry came from
  std::vector<unsigned char> x, y, grad, bias;
};
Gathered gather_poisoned(const Row& row, const RowBuffers& b) {
  const std::size_t es = dtype_size(row.variant->dtype), cols = row.cols.value_or(0);
  Gathered g;
  for_each_poisoned(row.n, es, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) g.at.push_back(i);
  });
  const std::size_t bytes = g.at.size() * es;
  g.x.resize(bytes);
  g.y.resize(bytes);
  g.grad.resize(b.grad ? bytes : 0);
  g.bias.resize(cols ? bytes : 0);
  for (std::size_t k = 0; k < g.at.size(); ++k) {
    std::memcpy(&g.x[k * es], b.x->data() + g.at[k] * es, es);
    std::memcpy(&g.y[k * es], b.y->data() + g.at[k] * es, es);
    if (b.grad) std::memcpy(&g.grad[k * es], b.grad->data() + g.at[k] * es, es);
    if (cols) std::memcpy(&g.bias[k * es], b.bias.data() + g.at[k] % cols * es, es);
  }
  return g;
}

// A check message counts in the gathered elements: name the element of y instead.
std::string name_element_of_y(std::string said, const std::vector<std::size_t>& at) {
  if (const auto e = said.find(": element "); e != std::string::npos) {
    const auto digits = said.find_first_not_of("0123456789", e + 10);
    said.replace(e + 10, digits - e - 10, std::to_string(at[std::stoul(said.substr(e + 10, digits - e - 10))]));
  }
  return said;
}
}  // namespace

bool passes_writes_outside(Row& row, RowBuffers& b, SharedBuffers& shared) {
  const std::string why = writes_outside(row, b, false);
  if (why.empty()) return true;
  fail_for_writing_outside(row, b, shared, why);
  return false;
}

bool check_timed_loop(Row& row, RowBuffers& b, SharedBuffers& shared) {
  if (!passes_writes_outside(row, b, shared)) return false;
  const Gathered g = gather_poisoned(row, b);
  const bool bias = !g.bias.empty();
  const CheckResult c = check_against_reference(*row.variant, g.x.data(), g.y.data(), g.at.size(), row.params,
                                                bias ? g.bias.data() : nullptr, bias ? g.at.size() : 0,
                                                g.grad.empty() ? nullptr : g.grad.data());
  if (c.ok) return true;
  row.status = Status::failed;
  row.reason = "the output of a timed call is wrong (the first call passed): " + name_element_of_y(c.message, g.at);
  return false;
}

bool check_last_timed_call(Row& row, RowBuffers& b, SharedBuffers& shared, std::uint64_t first_output_digest) {
  const Variant& v = *row.variant;
  const std::size_t bytes = row.n * dtype_size(v.dtype);
  try {
    if (const std::string why = writes_outside(row, b, true); !why.empty()) {
      fail_for_writing_outside(row, b, shared, why);
      return false;
    }
    std::shared_ptr<HostBuffer> from_gpu;
    if (v.device == Device::gpu) {
      from_gpu = shared.output(v.dtype, row.n);  // the size's shared output (plan/shared_buffers.hpp)
      gpu::copy_to_host(from_gpu->data(), b.dy->get(), bytes);
    }
    // The first call's output passed the full check; a last call that wrote the same bytes passes it too.
    if (v.device == Device::gpu && output_digest(from_gpu->data(), bytes) == first_output_digest) return true;
    const void* y = v.device == Device::gpu ? from_gpu->data() : b.y->data();
    const CheckResult c = check_parallel(v, b.x->data(), y, row.n, row.params, b.bias.data(), row.cols.value_or(0),
                                         static_cast<int>(host_threads()), b.grad ? b.grad->data() : nullptr);
    if (c.ok) return true;
    row.status = Status::failed;
    row.reason = "the output of the last timed call is wrong (the first call passed): " + c.message;
  } catch (const std::exception& e) {
    row.status = Status::failed;
    row.reason = std::string("error checking the last timed call: ") + e.what();
  }
  return false;
}

}  // namespace elubench::bench
