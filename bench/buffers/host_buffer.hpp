// Host memory for the CPU rows, placed the same way in every run. Where malloc puts x and y
// decides (y - x) mod 4096, and on x86 a small value there makes the loads of x[i] look like
// they depend on the stores to y[i] (4K aliasing): the same kernel then runs tens of percent
// slower in one run than in the next, which a run-against-run comparison reads as a
// regression. So every buffer starts at a fixed offset into its own page-aligned block: x at
// 0, y at half a page, the bias row at a quarter page. The 64-byte alignment of all three is
// what a framework's allocator gives a tensor. Canaries before and after the data catch a
// kernel that writes outside it (buffers/guards.hpp).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include "buffers/guards.hpp"

namespace elubench::bench {

class HostBuffer {
 public:
  static constexpr std::size_t kPage = 4096;
  static constexpr std::size_t kOffsetX = 0, kOffsetY = kPage / 2, kOffsetBias = kPage / 4;
  // Canary bytes before the data: a whole page, so the data's offset within its page (the point
  // of the layout above) stays what it was. After it: the rest of its page and one more.
  static constexpr std::size_t kGuard = kPage;

  HostBuffer() = default;
  HostBuffer(std::size_t bytes, std::size_t offset) : size_(bytes) {
    total_ = kGuard + (offset + bytes + kPage - 1) / kPage * kPage + kPage;
    block_.reset(static_cast<unsigned char*>(std::aligned_alloc(kPage, total_)));
    if (!block_) throw std::bad_alloc();
    data_ = block_.get() + kGuard + offset;
    arm();
  }
  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  unsigned char* begin() const { return data_; }
  unsigned char* end() const { return data_ + size_; }

  // Writes the canaries around the data (again, after a breach was reported).
  void arm() {
    if (!block_) return;
    fill_canaries(block_.get(), lead(), 0);
    fill_canaries(end(), total_ - lead() - size_, lead() + size_);
  }
  // The offset from data() of the changed canary byte nearest the data (the end's side first;
  // negative: before the start), or nullopt when every canary holds.
  std::optional<std::ptrdiff_t> overwritten() const {
    if (!block_) return std::nullopt;
    if (const auto i = first_broken_canary(end(), total_ - lead() - size_, lead() + size_))
      return static_cast<std::ptrdiff_t>(size_ + *i);
    for (std::size_t i = lead(); i-- > 0;)
      if (block_.get()[i] != canary_byte(i)) return static_cast<std::ptrdiff_t>(i) - static_cast<std::ptrdiff_t>(lead());
    return std::nullopt;
  }
  // An input, once filled: read-only from here on (protect_input), so that a kernel's write into
  // it is noted where it happens; writable again for a refill or when freed.
  void protect() {
    if (block_ && !protected_) protect_input(block_.get(), total_);
    protected_ = block_ != nullptr;
  }
  void unprotect() {
    if (block_ && protected_) unprotect_input(block_.get(), total_);
    protected_ = false;
  }
  // The offset from data() of address p when p lies in this buffer's block (its canaries
  // included), else nullopt.
  std::optional<std::ptrdiff_t> offset_of(const void* p) const {
    const auto* c = static_cast<const unsigned char*>(p);
    if (!block_ || c < block_.get() || c >= block_.get() + total_) return std::nullopt;
    return c - data_;
  }

  HostBuffer(HostBuffer&& o) noexcept { *this = std::move(o); }
  HostBuffer& operator=(HostBuffer&& o) noexcept {
    if (this == &o) return *this;
    unprotect();  // free() writes into the block it frees
    block_ = std::move(o.block_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    total_ = std::exchange(o.total_, 0);
    protected_ = std::exchange(o.protected_, false);
    return *this;
  }
  ~HostBuffer() { unprotect(); }

 private:
  std::size_t lead() const { return static_cast<std::size_t>(data_ - block_.get()); }
  struct Free {
    void operator()(unsigned char* p) const { std::free(p); }
  };
  std::unique_ptr<unsigned char, Free> block_;
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0, total_ = 0;
  bool protected_ = false;
};

}  // namespace elubench::bench
