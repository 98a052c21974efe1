// The timed calls are checked too, not only the first call: a kernel that is right once and
// then does nothing (or caches, or races) must not get a number.
//
// What is checked: the output of the last timed call of the last repetition, in full, against
// the float64 reference, after every repetition has run. A GPU row whose last output is byte for
// byte its first call's (the same 64-bit digest, output_digest) skips the float64 pass: that
// output already passed it, and a 2^28 row's second check would cost a second of host time. Before each timed loop (outside the
// timed region: Google Benchmark times only the `for (auto _ : st)` loop) the output buffer is
// poisoned, so the output that is checked was written by that loop's calls and not left over
// from the checked first call. Why the last call and not every k-th sample: the samples of one
// loop all write the same buffer, so only the last call's output survives to be read, and
// reading or poisoning inside the loop would be timed. One full check per row costs what the
// pre-timing check costs; checking after every repetition would multiply it by the repetitions.
// What every timed loop of a CPU row gets instead, right after it (outside the timed region): its
// poisoned elements checked against the reference (about 1 element in 1000, and 8 KiB), the
// canaries around its output, and whether it wrote into a (read-only) input (bench/guards.hpp):
// each repetition, which the journal keeps as it comes, was taken by calls seen writing what they
// should and nothing else. GPU rows look at their device buffers at the first call and after
// their samples.
//
// How it is poisoned: GPU rows memset the whole output (a fraction of one kernel's time; in cold
// mode the L2 flush before each sample evicts it). CPU rows poison the first and last 4 KiB and
// one element per 4 KiB page in between: a call that writes nothing, skips its head or tail, or
// skips a page is caught, and the timed call finds at most 1 line in 64 of its output dirtied
// by the poison, where a full memset would leave the cache state of a large row changed. GPU
// rows poison from inside the sampler, after its untimed warm-up and calibration calls, so
// only timed calls can write what is checked.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include "run/case.hpp"
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

void Case::poison_output() {
  const std::size_t bytes = row_.n * dtype_size(row_.variant->dtype);
  if (row_.variant->device == Device::gpu) {
    gpu::memset(dy_->get(), kPoison, bytes);
#if ELUBENCH_HAVE_CUDA
    // cudaMemset runs on the legacy default stream, which does not order itself with the
    // sampler's non-blocking stream: wait, so the poison cannot land after a timed call.
    gpu_check_sync();
#endif
    return;
  }
  unsigned char* y = hy_->data();
  const std::size_t es = dtype_size(row_.variant->dtype);
  for_each_poisoned(row_.n, es, [&](std::size_t b, std::size_t e) { std::memset(y + b * es, kPoison, (e - b) * es); });
  benchmark::ClobberMemory();  // the poison must be stored before the timed calls run
}

std::string Case::writes_outside(bool full) {
  const Variant& v = *row_.variant;
  const std::size_t n = row_.n, es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  if (hy_)
    if (const auto at = hy_->overwritten()) return describe_write_outside("y", *at, n, es);
  // Any write into a protected input since the last look was this row's: no other runs meanwhile.
  if (const void* p = take_input_write()) {
    for (const auto& [name, buffer, count] : {std::tuple{"x", hx_.get(), n}, std::tuple{"dy", hgrad_.get(), n},
                                              std::tuple{"bias", static_cast<const HostBuffer*>(&hbias_), cols}})
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
  for (const Device& d : {Device{"y (device)", dy_.get(), nullptr, n}, Device{"x (device)", dx_.get(), hx_.get(), n},
                          Device{"dy (device)", dgrad_.get(), hgrad_.get(), n}, Device{"bias (device)", dbias_.get(), &hbias_, cols}}) {
    if (!d.buffer) continue;
    if (const auto at = d.buffer->overwritten()) return describe_write_outside(d.name, *at, d.n, es);
    if (!d.made_from) continue;
    if (const auto at = d.buffer->first_difference_from(d.made_from->data()))
      return describe_input_write(d.name, static_cast<std::ptrdiff_t>(*at), d.n, es);
  }
  return {};
}

void Case::fail_for_writing_outside(const std::string& why) {
  row_.status = Status::failed;
  row_.reason = why;
  shared_.restore_inputs();
  for (DeviceBuffer* d : {dx_.get(), dy_.get(), dgrad_.get(), dbias_.get()})
    if (d) d->arm();
}

std::string Case::check_timed_loop() {
  const Variant& v = *row_.variant;
  std::string why = writes_outside(false);
  if (!why.empty()) {
    fail_for_writing_outside(why);
    return why;
  }
  // The poisoned elements, gathered into one short check (bias rows: each element's bias entry).
  const std::size_t es = dtype_size(v.dtype), cols = row_.cols.value_or(0);
  std::vector<std::size_t> at;
  for_each_poisoned(row_.n, es, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) at.push_back(i);
  });
  std::vector<unsigned char> x(at.size() * es), y(x.size()), g(hgrad_ ? x.size() : 0), b(cols ? x.size() : 0);
  for (std::size_t k = 0; k < at.size(); ++k) {
    std::memcpy(&x[k * es], hx_->data() + at[k] * es, es);
    std::memcpy(&y[k * es], hy_->data() + at[k] * es, es);
    if (hgrad_) std::memcpy(&g[k * es], hgrad_->data() + at[k] * es, es);
    if (cols) std::memcpy(&b[k * es], hbias_.data() + at[k] % cols * es, es);
  }
  const CheckResult c = check_against_reference(v, x.data(), y.data(), at.size(), row_.params(), cols ? b.data() : nullptr,
                                                cols ? at.size() : 0, hgrad_ ? g.data() : nullptr);
  if (c.ok) return {};
  // The message counts in the gathered elements: name the element of y instead.
  std::string said = c.message;
  if (const auto e = said.find(": element "); e != std::string::npos) {
    const auto digits = said.find_first_not_of("0123456789", e + 10);
    said.replace(e + 10, digits - e - 10, std::to_string(at[std::stoul(said.substr(e + 10, digits - e - 10))]));
  }
  row_.status = Status::failed;
  row_.reason = "the output of a timed call is wrong (the first call passed): " + said;
  return row_.reason;
}

bool Case::check_last_timed_call() {
  const Variant& v = *row_.variant;
  const std::size_t bytes = row_.n * dtype_size(v.dtype);
  try {
    if (const std::string why = writes_outside(true); !why.empty()) {
      fail_for_writing_outside(why);
      return false;
    }
    std::shared_ptr<HostBuffer> from_gpu;
    if (v.device == Device::gpu) {
      from_gpu = shared_.output(v.dtype, row_.n);  // the size's shared output (suite.hpp)
      gpu::copy_to_host(from_gpu->data(), dy_->get(), bytes);
    }
    // The first call's output passed the full check; a last call that wrote the same bytes passes it too.
    if (v.device == Device::gpu && output_digest(from_gpu->data(), bytes) == first_output_digest_) return true;
    const void* y = v.device == Device::gpu ? from_gpu->data() : hy_->data();
    const CheckResult c = check_parallel(v, host_x(), y, row_.n, row_.params(),
                                         v.uses_bias ? hbias_.data() : nullptr, row_.cols.value_or(0),
                                         static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), host_grad());
    if (c.ok) return true;
    row_.status = Status::failed;
    row_.reason = "the output of the last timed call is wrong (the first call passed): " + c.message;
  } catch (const std::exception& e) {
    row_.status = Status::failed;
    row_.reason = std::string("error checking the last timed call: ") + e.what();
  }
  return false;
}

}  // namespace elubench::bench
