// The CUDA half of GPU timing: the blocking kernel, the L2 flush, the events. The rules (when to
// stop, how large a hot batch is, what counts as throttled) live in stopping_rule.cpp and
// clocks.cpp, where the tests run them without a GPU. No nlohmann/json here (style guide).
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "timing/cuda_call.cuh"
#include "timing/gpu_sampler.hpp"
#include "timing/clocks.hpp"
#include "timing/nvml.hpp"
#include "timing/stopping_rule.hpp"

namespace elubench::bench {

namespace {

__device__ __forceinline__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// nvbench's blocking_kernel: holds the stream until the host sets flag[0]. The timeout frees a
// stream whose host thread can no longer release it (a launch queue that filled up while the
// kernel waited); flag[1] then reports that the sample is void.
__global__ void block_stream(const volatile int* flag, volatile int* timed_out, unsigned long long timeout_ns) {
  const unsigned long long t0 = global_ns();
  while (!flag[0]) {
    if (global_ns() - t0 > timeout_ns) {
      *timed_out = 1;
      return;
    }
  }
}

// The flush writes a value that changes per flush (no line can stay as it was), then reads the
// whole buffer: it is twice the L2, so the read evicts every dirty line (the timed kernel's y
// from the sample before and the flush's own writes) and leaves L2 full of clean lines.
__global__ void flush_write(uint4* p, std::size_t n16, unsigned v) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n16; i += std::size_t(gridDim.x) * blockDim.x)
    p[i] = make_uint4(v, v ^ 1u, v ^ 2u, static_cast<unsigned>(i));
}
__global__ void flush_read(const uint4* p, std::size_t n16, unsigned* sink) {
  unsigned acc = 0;
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n16; i += std::size_t(gridDim.x) * blockDim.x) {
    const uint4 q = p[i];
    acc ^= q.x ^ q.y ^ q.z ^ q.w;
  }
  if (acc == 0x9e3779b9u) *sink = acc;  // a data dependency the compiler cannot drop
}

constexpr unsigned long long kBlockTimeoutNs = 10'000'000'000ull;  // 10 s, nvbench's order

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct GpuSampler::Impl {
  cudaStream_t stream = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  int* flag_host = nullptr;  // [0] release, [1] timed out; pinned, mapped into the device
  int* flag_dev = nullptr;
  void* flush = nullptr;
  std::size_t flush_bytes = 0;
  unsigned* sink = nullptr;
  unsigned fill = 0;
  int sms = 1;

  ~Impl() {
    if (flag_host) {
      reinterpret_cast<volatile int*>(flag_host)[0] = 1;  // never leave a blocker spinning
      cudaStreamSynchronize(stream);
      cudaFreeHost(flag_host);
    }
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
    if (flush) cudaFree(flush);
    if (sink) cudaFree(sink);
    if (stream) cudaStreamDestroy(stream);
  }

  void block() {
    volatile int* f = flag_host;
    f[0] = 0;
    f[1] = 0;
    std::atomic_thread_fence(std::memory_order_seq_cst);
    block_stream<<<1, 1, 0, stream>>>(flag_dev, flag_dev + 1, kBlockTimeoutNs);
    check(cudaGetLastError(), "launch of the blocking kernel");
  }
  void release() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    reinterpret_cast<volatile int*>(flag_host)[0] = 1;
  }
  void flush_l2() {
    const std::size_t n16 = flush_bytes / 16;
    flush_write<<<sms * 4, 256, 0, stream>>>(static_cast<uint4*>(flush), n16, ++fill);
    flush_read<<<sms * 4, 256, 0, stream>>>(static_cast<const uint4*>(flush), n16, sink);
    check(cudaGetLastError(), "launch of the L2 flush");
  }
  // One sample: [flush → sync] → block → start → call × calls → stop → release → wait.
  double timed(RunFn fn, const RunArgs& args, int calls, bool cold);
};

double GpuSampler::Impl::timed(RunFn fn, const RunArgs& args, int calls, bool cold) {
  if (cold) {
    flush_l2();
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after the flush");
  }
  block();
  struct Releaser {  // a throwing call must not leave the stream held for 10 s
    Impl* self;
    ~Releaser() { self->release(); }
  } guard{this};
  check(cudaEventRecord(start, stream), "cudaEventRecord(start)");
  for (int k = 0; k < calls; ++k) fn(args);
  check(cudaEventRecord(stop, stream), "cudaEventRecord(stop)");
  release();
  check(cudaEventSynchronize(stop), "cudaEventSynchronize(stop)");
  check(cudaGetLastError(), "kernel launch");  // a failed launch shows here, not as a time
  if (reinterpret_cast<volatile int*>(flag_host)[1])
    throw std::runtime_error("the blocking kernel timed out before the host released it (launch queue full?)");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
  return static_cast<double>(ms) * 1e-3 / calls;
}

GpuSampler::GpuSampler(const GpuTimingSetup& setup, Cache cache, std::size_t l2_bytes, int ordinal)
    : impl_(std::make_unique<Impl>()), setup_(setup), cache_(cache) {
  Impl& m = *impl_;
  check(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cudaEventCreate(&m.start), "cudaEventCreate");
  check(cudaEventCreate(&m.stop), "cudaEventCreate");
  check(cudaHostAlloc(reinterpret_cast<void**>(&m.flag_host), 2 * sizeof(int), cudaHostAllocMapped), "cudaHostAlloc");
  m.flag_host[0] = 1;
  m.flag_host[1] = 0;
  check(cudaHostGetDevicePointer(reinterpret_cast<void**>(&m.flag_dev), m.flag_host, 0), "cudaHostGetDevicePointer");
  check(cudaDeviceGetAttribute(&m.sms, cudaDevAttrMultiProcessorCount, ordinal), "cudaDeviceGetAttribute");
  if (cache == Cache::cold && l2_bytes > 0) {
    m.flush_bytes = (2 * l2_bytes + 15) / 16 * 16;
    check(cudaMalloc(&m.flush, m.flush_bytes), "cudaMalloc(flush buffer)");
    check(cudaMalloc(reinterpret_cast<void**>(&m.sink), sizeof(unsigned)), "cudaMalloc(flush sink)");
    setup_.flush_method = "write then read a buffer of 2x L2";
    setup_.flush_bytes = m.flush_bytes;
  }
  nvml_ = std::make_unique<Nvml>();
  if (nvml_->loaded()) nvml_->open_by_pci_bus_id(pci_bus_id(ordinal));
  setup_.nvml = nvml_->available() ? "available" : nvml_->reason();
}

GpuSampler::~GpuSampler() = default;

void* GpuSampler::stream() const { return impl_->stream; }

std::vector<double> GpuSampler::sample(RunFn fn, RunArgs args, GpuRowTiming& out,
                                       const std::function<void()>& before_samples) {
  Impl& m = *impl_;
  args.stream = m.stream;
  const bool cold = cache_ == Cache::cold && m.flush;
  // First call at this size outside the samples: module load, library handles, descriptors.
  fn(args);
  check(cudaStreamSynchronize(m.stream), "cudaStreamSynchronize after the warm-up call");
  int batch = 1;
  if (!cold) {
    double t[3];
    for (double& s : t) s = m.timed(fn, args, 1, false);
    std::sort(t, t + 3);
    batch = hot_batch(t[1], setup_.hot_min_sample_s, setup_.hot_max_batch);
  }
  if (before_samples) before_samples();
  std::vector<ClockReading> readings;
  double last_read = -1;
  auto poll = [&](bool force) {
    const double now = seconds_now();
    if (!force && now - last_read < 0.01) return;  // NVML queries cost µs to ms; 100 a second is plenty
    last_read = now;
    if (auto r = nvml_->read()) readings.push_back(*r);
  };
  poll(true);
  const SamplingOutcome o = sample_until_stop(
      setup_.rule, [&] { return m.timed(fn, args, batch, cold); }, [&] { poll(false); }, seconds_now);
  poll(true);
  out.stop_reason = o.stop_reason;
  out.sample_count = static_cast<int>(o.samples.size());
  out.relative_standard_error = o.relative_standard_error;
  out.batch = batch;
  if (!readings.empty()) out.clocks = summarize_clocks(readings);
  else out.clocks_reason = nvml_->reason();
  return o.samples;
}

std::string pci_bus_id(int ordinal) {
  char buf[64] = {};
  check(cudaDeviceGetPCIBusId(buf, sizeof buf, ordinal), "cudaDeviceGetPCIBusId");
  return buf;
}

}  // namespace elubench::bench
