// Host memory for the CPU rows, placed the same way in every run. Where malloc puts x and y
// decides (y - x) mod 4096, and on x86 a small value there makes the loads of x[i] look like
// they depend on the stores to y[i] (4K aliasing): the same kernel then runs tens of percent
// slower in one run than in the next, which a run-against-run comparison reads as a
// regression. So every buffer starts at a fixed offset into its own page-aligned block: x at
// 0, y at half a page, the bias row at a quarter page. The 64-byte alignment of all three is
// what a framework's allocator gives a tensor.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace elubench::bench {

class HostBuffer {
 public:
  static constexpr std::size_t kPage = 4096;
  static constexpr std::size_t kOffsetX = 0, kOffsetY = kPage / 2, kOffsetBias = kPage / 4;

  HostBuffer() = default;
  HostBuffer(std::size_t bytes, std::size_t offset) : size_(bytes) {
    const std::size_t total = (offset + bytes + kPage - 1) / kPage * kPage + kPage;
    block_.reset(static_cast<unsigned char*>(std::aligned_alloc(kPage, total)));
    if (!block_) throw std::bad_alloc();
    data_ = block_.get() + offset;
  }
  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  unsigned char* begin() const { return data_; }
  unsigned char* end() const { return data_ + size_; }

 private:
  struct Free {
    void operator()(unsigned char* p) const { std::free(p); }
  };
  std::unique_ptr<unsigned char, Free> block_;
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace elubench::bench
