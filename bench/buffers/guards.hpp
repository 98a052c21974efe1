// Guards around every buffer a row reads or writes: a kernel that writes outside its output
// (one element past the end, a whole vector past it, one before the start) or into one of its
// inputs must fail its row with the place named, not get a number. Host buffers have canary
// bytes before and after them (buffers/host_buffer.hpp), device buffers a canary page on each side
// (GuardedBuffer below); host inputs are read-only while rows run (protect_input), and device
// inputs are compared with the host copy they were made from.
// trust/timed_check.hpp (writes_outside) says when each is checked.
#pragma once

#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "elubench/gpu.hpp"

namespace elubench::bench {

// The canary byte at position k of a guard region. It varies with k, so a kernel that stores one
// value over and over (a constant, a copy of an element) cannot match a run of them by chance.
inline unsigned char canary_byte(std::size_t k) { return static_cast<unsigned char>(((k * 0x9E3779B1u) >> 24) ^ 0x5Au); }
// Fills p[0, len) with the canaries of positions origin.. origin + len.
void fill_canaries(unsigned char* p, std::size_t len, std::size_t origin);
// The first i in [0, len) where p[i] is not canary_byte(origin + i); nullopt when all hold.
std::optional<std::size_t> first_broken_canary(const unsigned char* p, std::size_t len, std::size_t origin);

// "wrote outside y: y[1024] (byte 0 past its end; n = 1024)" for a canary byte at offset `at`
// from the start of a buffer of n elements of es bytes (negative: before its start).
std::string describe_write_outside(const char* name, std::ptrdiff_t at, std::size_t n, std::size_t es);

// Host inputs are read-only while rows run: a write into one faults, and the SIGSEGV handler
// notes the address (the first such write), makes that page writable so the kernel runs on, and
// the row that wrote it fails once its call returns, with the element named. Exact and free for
// a kernel that does not write its input, whichever row shares the input and whenever it runs.
// protect_input: registers [begin, begin + len) (whole pages) and makes it read-only; throws when
// the range cannot be protected. unprotect_input: writable and forgotten again.
void protect_input(void* begin, std::size_t len);
void unprotect_input(void* begin, std::size_t len);
// The first address written in a protected range since the last call, or nullptr.
const void* take_input_write();

// "wrote into its input x: x[8192] (n = 16384)" for a byte at offset `at` from the start of an
// input of n elements of es bytes (outside [0, n * es): describe_write_outside).
std::string describe_input_write(const char* name, std::ptrdiff_t at, std::size_t n, std::size_t es);

// Memory a GuardedBuffer lives in: the GPU (the bench), or the host (the tests, which run the very
// same guard code without a device).
struct DeviceMemory {
  static void* alloc(std::size_t bytes) { return gpu::alloc(bytes); }
  static void free(void* p) noexcept { gpu::free(p); }
  static void to_device(void* dst, const void* src, std::size_t bytes) { gpu::copy_to_device(dst, src, bytes); }
  static void to_host(void* dst, const void* src, std::size_t bytes) { gpu::copy_to_host(dst, src, bytes); }
};
struct HostMemory {
  static void* alloc(std::size_t bytes);
  static void free(void* p) noexcept;
  static void to_device(void* dst, const void* src, std::size_t bytes) { std::memcpy(dst, src, bytes); }
  static void to_host(void* dst, const void* src, std::size_t bytes) { std::memcpy(dst, src, bytes); }
};

// A buffer of `bytes` with a canary page on each side, in Memory. kGuard keeps the data at the
// allocation's alignment (cudaMalloc: 256 bytes), so the kernels' 16-byte accesses stay aligned.
template <class Memory>
class GuardedBuffer {
 public:
  static constexpr std::size_t kGuard = 4096;
  explicit GuardedBuffer(std::size_t bytes) : bytes_(bytes), base_(static_cast<unsigned char*>(Memory::alloc(bytes + 2 * kGuard))) {
    arm();
  }
  ~GuardedBuffer() { Memory::free(base_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  void* get() const { return base_ + kGuard; }
  std::size_t bytes() const { return bytes_; }
  // Writes the canaries (again, after a breach was reported).
  void arm() {
    std::vector<unsigned char> c(kGuard);
    fill_canaries(c.data(), kGuard, 0);
    Memory::to_device(base_, c.data(), kGuard);
    fill_canaries(c.data(), kGuard, kGuard + bytes_);
    Memory::to_device(base_ + kGuard + bytes_, c.data(), kGuard);
  }
  // The offset from get() of the first canary byte that changed (negative: before the start),
  // the one nearest the data on each side, the end's side first; nullopt when both pages hold.
  std::optional<std::ptrdiff_t> overwritten() const {
    std::vector<unsigned char> c(kGuard);
    Memory::to_host(c.data(), base_ + kGuard + bytes_, kGuard);
    if (const auto i = first_broken_canary(c.data(), kGuard, kGuard + bytes_)) return static_cast<std::ptrdiff_t>(bytes_ + *i);
    Memory::to_host(c.data(), base_, kGuard);
    for (std::size_t i = kGuard; i-- > 0;)
      if (c[i] != canary_byte(i)) return static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(kGuard);
    return std::nullopt;
  }
  // The first byte where the buffer differs from host[0, bytes()), or nullopt: an input the
  // kernel must not have changed, compared with what it was copied from (in 16 MiB pieces).
  std::optional<std::size_t> first_difference_from(const void* host) const {
    constexpr std::size_t kPiece = std::size_t{16} << 20;
    std::vector<unsigned char> piece(std::min(kPiece, bytes_));
    const auto* h = static_cast<const unsigned char*>(host);
    for (std::size_t at = 0; at < bytes_; at += kPiece) {
      const std::size_t len = std::min(kPiece, bytes_ - at);
      Memory::to_host(piece.data(), base_ + kGuard + at, len);
      if (std::memcmp(piece.data(), h + at, len) == 0) continue;
      for (std::size_t i = 0; i < len; ++i)
        if (piece[i] != h[at + i]) return at + i;
    }
    return std::nullopt;
  }

 private:
  std::size_t bytes_;
  unsigned char* base_;
};

using DeviceBuffer = GuardedBuffer<DeviceMemory>;

}  // namespace elubench::bench
