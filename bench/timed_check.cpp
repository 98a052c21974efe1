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
#include <thread>

#include "suite.hpp"
#if ELUBENCH_HAVE_CUDA
#include "gpu_clock.hpp"
#endif

namespace elubench::bench {

namespace {
constexpr unsigned char kPoison = 0xAB;  // as f32/f16/bf16: a small negative value no input maps to here
constexpr std::size_t kEdgeBytes = 4096, kStrideBytes = 4096;
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
  const std::size_t head = std::min(bytes, kEdgeBytes), tail = std::min(bytes - head, kEdgeBytes);
  std::memset(y, kPoison, head);
  std::memset(y + bytes - tail, kPoison, tail);
  for (std::size_t b = head; b + es <= bytes - tail; b += kStrideBytes) std::memset(y + b, kPoison, es);
  benchmark::ClobberMemory();  // the poison must be stored before the timed calls run
}

bool Case::check_last_timed_call() {
  const Variant& v = *row_.variant;
  const std::size_t bytes = row_.n * dtype_size(v.dtype);
  try {
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
