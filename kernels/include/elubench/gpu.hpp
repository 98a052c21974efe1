// The GPU runtime seen from host code that is not compiled by nvcc (tests, the bench binary).
// Built without CUDA, every query reports "no GPU" with its reason and every other call
// throws: callers can always ask, and a missing GPU is an answer, never a crash.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace elubench::gpu {

struct Info {
  std::string name;
  int ordinal = 0;
  int compute_capability_major = 0;
  int compute_capability_minor = 0;
  int sm_count = 0;
  std::size_t l2_bytes = 0;
  std::size_t memory_bytes = 0;
  double memory_clock_khz = 0;  // as reported by the driver
  int bus_width_bits = 0;
  double peak_gbps = 0;         // 2 * memory clock * bus width / 8
  int sm_clock_khz = 0;         // peak SM clock as reported by the driver
  // An upper bound of L2 bandwidth: one 128-byte line per SM per SM clock (the L1 fill width);
  // what a row whose working set may sit partly in L2 is judged against (plausibility.hpp).
  double l2_peak_gbps = 0;
  int driver_version = 0;       // e.g. 13000
  int runtime_version = 0;
};

bool cuda_built();
// Number of usable GPUs; 0 with *reason set (no driver, a driver too old for this build (the
// reason is then DriverCheck::plan), no device, built without CUDA).
int device_count(std::string* reason);

// The NVIDIA driver on this machine against the CUDA runtime this build links statically. The
// driver is asked first (cudaDriverGetVersion answers where no context can be made), so a driver
// older than the toolkit gets a plan instead of "CUDA driver version is insufficient".
struct DriverCheck {
  int driver_cuda = 0;         // newest CUDA the driver supports, e.g. 12080; 0: no driver found
  int runtime_cuda = 0;        // the runtime of this build, e.g. 13000; 0: built without CUDA
  std::string driver_release;  // "570.86.15" (/proc/driver/nvidia/version); empty when unknown
  bool ok = false;             // the driver can run this build
  std::string pair;            // the driver/toolkit pair in one line, printed first by the tools
  std::string plan;            // empty when ok: what was found, what is needed, and the two ways out
};
// The verdict for given versions (pure: the tests feed it fake drivers). Needs: CUDA 13.x runtime
// -> driver >= 580, 12.x -> >= 525 (NVIDIA's minor-version compatibility table).
DriverCheck judge_driver(int driver_cuda, int runtime_cuda, const std::string& driver_release);
// This machine's driver, judged (a build without CUDA: ok = false, plan says so).
DriverCheck check_driver();
// The minimum driver release (major number) for a CUDA runtime version, e.g. 13000 -> 580.
int min_driver_release(int runtime_cuda);
// "12.8" from 12080.
std::string cuda_version_string(int v);
// "570.86.15" from /proc/driver/nvidia/version; empty where there is none.
std::string read_driver_release();

// The GPU variant families this build left out, each with why ("gpu/*/cub/*: needs ..."): a CCCL
// older than a feature they need (kernels/cuda/cccl_features.cuh). Empty in a full build and
// without CUDA.
std::vector<std::string> left_out_variants();
Info info(int ordinal);
void set_device(int ordinal);

// Thin checked wrappers; each throws std::runtime_error naming the failed call.
void* alloc(std::size_t bytes);
void free(void* p) noexcept;
void copy_to_device(void* dst, const void* src, std::size_t bytes);
void copy_to_host(void* dst, const void* src, std::size_t bytes);
void memset(void* p, int value, std::size_t bytes);
void synchronize();
std::size_t free_memory();

// RAII device buffer.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes) : ptr_(bytes ? alloc(bytes) : nullptr), bytes_(bytes) {}
  ~Buffer() { free(ptr_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; o.bytes_ = 0; }
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) { free(ptr_); ptr_ = o.ptr_; bytes_ = o.bytes_; o.ptr_ = nullptr; o.bytes_ = 0; }
    return *this;
  }
  void* get() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace elubench::gpu
