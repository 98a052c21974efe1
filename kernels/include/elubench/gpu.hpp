// The GPU runtime seen from host code that is not compiled by nvcc (tests, the bench binary).
// Built without CUDA, every query reports "no GPU" with its reason and every other call
// throws: callers can always ask, and a missing GPU is an answer, never a crash.
#pragma once

#include <cstddef>
#include <string>

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
  int driver_version = 0;       // e.g. 13000
  int runtime_version = 0;
};

bool cuda_built();
// Number of usable GPUs; 0 with *reason set (no driver, no device, built without CUDA).
int device_count(std::string* reason);
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
