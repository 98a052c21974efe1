// elubench::gpu for builds with CUDA: device queries and checked memory helpers.
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
void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}
void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
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
