// elubench::gpu for builds with CUDA: device queries and checked memory helpers.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "cuda_check.cuh"
#include "elubench/gpu.hpp"

namespace elubench::gpu {

bool cuda_built() { return true; }

DriverCheck check_driver() {
  int driver = 0, runtime = 0;
  if (cudaDriverGetVersion(&driver) != cudaSuccess) driver = 0;
  if (cudaRuntimeGetVersion(&runtime) != cudaSuccess) runtime = CUDART_VERSION;
  return judge_driver(driver, runtime, read_driver_release());
}

int device_count(std::string* reason) {
  // The driver first: no driver, or one older than the runtime, gets that said (with the plan),
  // not the runtime's "CUDA driver version is insufficient".
  if (const DriverCheck d = check_driver(); !d.ok) {
    if (reason) *reason = "no usable GPU: " + d.plan;
    return 0;
  }
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    if (reason) *reason = std::string("no usable GPU: cudaGetDeviceCount: ") + cudaGetErrorString(err);
    return 0;
  }
  if (count == 0 && reason) *reason = "no usable GPU: the driver reports 0 devices";
  return count;
}

Info info(int ordinal) {
  Info i;
  cudaDeviceProp p{};
  CUDA_CHECK(cudaGetDeviceProperties(&p, ordinal));
  i.name = p.name;
  i.ordinal = ordinal;
  i.compute_capability_major = p.major;
  i.compute_capability_minor = p.minor;
  i.sm_count = p.multiProcessorCount;
  i.l2_bytes = static_cast<std::size_t>(p.l2CacheSize);
  i.memory_bytes = p.totalGlobalMem;
  // CUDA 13 removed memoryClockRate from cudaDeviceProp; the attribute still answers.
  int clock_khz = 0, bus_bits = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, ordinal));
  CUDA_CHECK(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, ordinal));
  i.memory_clock_khz = clock_khz;
  i.bus_width_bits = bus_bits;
  i.peak_gbps = 2.0 * clock_khz * 1e3 * (bus_bits / 8.0) / 1e9;
  CUDA_CHECK(cudaDeviceGetAttribute(&i.sm_clock_khz, cudaDevAttrClockRate, ordinal));
  i.l2_peak_gbps = i.sm_count * 128.0 * i.sm_clock_khz * 1e3 / 1e9;
  CUDA_CHECK(cudaDriverGetVersion(&i.driver_version));
  CUDA_CHECK(cudaRuntimeGetVersion(&i.runtime_version));
  return i;
}

void set_device(int ordinal) { CUDA_CHECK(cudaSetDevice(ordinal)); }

void* alloc(std::size_t bytes) {
  void* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, bytes));
  return p;
}
void free(void* p) noexcept {
  if (p) cudaFree(p);  // noexcept: a failing free during unwinding must not terminate
}
namespace {
// Large copies go through two pinned staging buffers, so that the host-side copy of one piece
// (on several cores) overlaps the DMA of the other: a pageable cudaMemcpy stages through the
// driver's own buffer one piece at a time on one core, and a 2^28-element row moves 1 GiB three
// times. Below kDirectBelow, or if the pinned buffers cannot be had, plain cudaMemcpy. The stream
// is a blocking one, so it orders itself with the legacy default stream as cudaMemcpy does.
constexpr std::size_t kDirectBelow = std::size_t{1} << 20, kStageBytes = std::size_t{16} << 20;

struct Staging {
  void* buf[2] = {};
  cudaEvent_t done[2] = {};
  cudaStream_t stream = nullptr;
  bool ok = false;
  std::mutex m;
  Staging() {
    ok = cudaStreamCreate(&stream) == cudaSuccess;
    for (int k = 0; k < 2 && ok; ++k)
      ok = cudaHostAlloc(&buf[k], kStageBytes, cudaHostAllocPortable) == cudaSuccess &&
           cudaEventCreateWithFlags(&done[k], cudaEventDisableTiming) == cudaSuccess;
    if (!ok) cudaGetLastError();  // fall back to cudaMemcpy; a later call must start clean
  }
};
Staging& staging() {
  static Staging s;  // per process, made at the first large copy; freed by the driver at exit
  return s;
}

// memcpy on up to 8 threads: one core copies 5-10 GB/s, less than the link.
void host_copy(void* dst, const void* src, std::size_t bytes) {
  const std::size_t parts = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  const std::size_t per = (bytes + parts - 1) / parts;
  std::vector<std::jthread> pool;
  for (std::size_t k = 1; k * per < bytes; ++k)
    pool.emplace_back([=] {
      std::memcpy(static_cast<char*>(dst) + k * per, static_cast<const char*>(src) + k * per, std::min(per, bytes - k * per));
    });
  std::memcpy(dst, src, std::min(per, bytes));
}
}  // namespace

void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  Staging& s = staging();
  if (bytes < kDirectBelow || !s.ok) {
    CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
    return;
  }
  const std::lock_guard<std::mutex> lock(s.m);
  for (std::size_t off = 0, k = 0; off < bytes; off += kStageBytes, k ^= 1) {
    const std::size_t len = std::min(kStageBytes, bytes - off);
    CUDA_CHECK(cudaEventSynchronize(s.done[k]));  // the DMA that last read buf[k] is over
    host_copy(s.buf[k], static_cast<const char*>(src) + off, len);
    CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + off, s.buf[k], len, cudaMemcpyHostToDevice, s.stream));
    CUDA_CHECK(cudaEventRecord(s.done[k], s.stream));
  }
  CUDA_CHECK(cudaStreamSynchronize(s.stream));
}

void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  Staging& s = staging();
  if (bytes < kDirectBelow || !s.ok) {
    CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
    return;
  }
  const std::lock_guard<std::mutex> lock(s.m);
  const std::size_t pieces = (bytes + kStageBytes - 1) / kStageBytes;
  const auto fetch = [&](std::size_t p) {  // piece p into buf[p % 2], asynchronously
    const std::size_t off = p * kStageBytes, len = std::min(kStageBytes, bytes - off);
    CUDA_CHECK(cudaMemcpyAsync(s.buf[p % 2], static_cast<const char*>(src) + off, len, cudaMemcpyDeviceToHost, s.stream));
    CUDA_CHECK(cudaEventRecord(s.done[p % 2], s.stream));
  };
  fetch(0);
  for (std::size_t p = 0; p < pieces; ++p) {
    if (p + 1 < pieces) fetch(p + 1);  // the other buffer: its piece was copied out last round
    CUDA_CHECK(cudaEventSynchronize(s.done[p % 2]));
    const std::size_t off = p * kStageBytes;
    host_copy(static_cast<char*>(dst) + off, s.buf[p % 2], std::min(kStageBytes, bytes - off));
  }
}
void memset(void* p, int value, std::size_t bytes) { CUDA_CHECK(cudaMemset(p, value, bytes)); }
void synchronize() { CUDA_CHECK(cudaDeviceSynchronize()); }
std::size_t free_memory() {
  std::size_t free_b = 0, total_b = 0;
  CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  return free_b;
}

}  // namespace elubench::gpu

// Helpers the kernel files share (launch.cuh).
#include <atomic>
#include <map>
#include <mutex>
#include <utility>

#include "launch.cuh"

namespace elubench::cuda {

int sm_count() {
  // One slot per device ordinal; a race between two first callers only repeats the query.
  constexpr int kMaxDevices = 64;
  static std::atomic<int> cache[kMaxDevices];
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  if (dev < 0 || dev >= kMaxDevices) throw std::runtime_error("sm_count: device ordinal out of range");
  int sms = cache[dev].load(std::memory_order_relaxed);
  if (sms == 0) {
    CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    cache[dev].store(sms, std::memory_order_relaxed);
  }
  return sms;
}

int resident_blocks(const void* kernel) {
  // A map under a mutex: about 40 kernels x devices entries; the lock is uncontended and costs
  // far less than the launch that follows.
  static std::mutex m;
  static std::map<std::pair<int, const void*>, int> cache;
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  const std::lock_guard<std::mutex> lock(m);
  int& blocks = cache[{dev, kernel}];
  if (blocks == 0) {
    CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, kThreads, 0));
    if (blocks < 1) throw std::runtime_error("resident_blocks: the kernel cannot run with 256 threads per block");
  }
  return blocks;
}

}  // namespace elubench::cuda
