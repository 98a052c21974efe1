#include "buffers/guards.hpp"

#include <signal.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

namespace elubench::bench {

void fill_canaries(unsigned char* p, std::size_t len, std::size_t origin) {
  for (std::size_t i = 0; i < len; ++i) p[i] = canary_byte(origin + i);
}

std::optional<std::size_t> first_broken_canary(const unsigned char* p, std::size_t len, std::size_t origin) {
  for (std::size_t i = 0; i < len; ++i)
    if (p[i] != canary_byte(origin + i)) return i;
  return std::nullopt;
}

std::string describe_write_outside(const char* name, std::ptrdiff_t at, std::size_t n, std::size_t es) {
  const auto bytes = static_cast<std::ptrdiff_t>(n * es), size = static_cast<std::ptrdiff_t>(es);
  // The element the byte belongs to, counting on past the end and back before the start.
  const std::ptrdiff_t element = at >= 0 ? at / size : -((-at + size - 1) / size);
  const std::string where = at >= 0 ? "byte " + std::to_string(at - bytes) + " past its end"
                                    : "byte " + std::to_string(-at) + " before its start";
  return "wrote outside " + std::string(name) + ": " + name + "[" + std::to_string(element) + "] (" + where +
         "; n = " + std::to_string(n) + ")";
}

std::string describe_input_write(const char* name, std::ptrdiff_t at, std::size_t n, std::size_t es) {
  if (at < 0 || static_cast<std::size_t>(at) >= n * es) return describe_write_outside(name, at, n, es);
  return "wrote into its input " + std::string(name) + ": " + name + "[" + std::to_string(static_cast<std::size_t>(at) / es) +
         "] (n = " + std::to_string(n) + ")";
}

namespace {
// The protected ranges, read by the signal handler on any thread: a fixed table of atomics (no
// allocation, no lock in the handler). A slot is free while its begin is 0.
constexpr std::size_t kMaxProtected = 16384;
struct Protected {
  std::atomic<std::uintptr_t> begin{0}, end{0};
};
Protected g_protected[kMaxProtected];
std::atomic<std::uintptr_t> g_first_write{0};
struct sigaction g_previous;
std::once_flag g_installed;

constexpr std::uintptr_t kPageMask = ~std::uintptr_t{4095};

void on_fault(int sig, siginfo_t* info, void* context) {
  const auto at = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (const Protected& p : g_protected) {
    const std::uintptr_t b = p.begin.load(std::memory_order_acquire);
    if (b == 0 || at < b || at >= p.end.load(std::memory_order_acquire)) continue;
    std::uintptr_t none = 0;
    g_first_write.compare_exchange_strong(none, at);
    // The write goes ahead once the page is writable; the row fails when its call returns.
    ::mprotect(reinterpret_cast<void*>(at & kPageMask), 4096, PROT_READ | PROT_WRITE);
    return;
  }
  // Not a protected input: whatever would have happened without us (the fault repeats).
  ::sigaction(SIGSEGV, &g_previous, nullptr);
  (void)sig;
  (void)context;
}

void install_handler() {
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGSEGV, &sa, &g_previous);
}

std::pair<std::uintptr_t, std::uintptr_t> pages_of(void* begin, std::size_t len) {
  const auto b = reinterpret_cast<std::uintptr_t>(begin);
  return {b & kPageMask, (b + len + 4095) & kPageMask};
}
}  // namespace

void protect_input(void* begin, std::size_t len) {
  std::call_once(g_installed, install_handler);
  const auto [b, e] = pages_of(begin, len);
  for (Protected& p : g_protected) {
    std::uintptr_t free_slot = 0;
    if (!p.begin.compare_exchange_strong(free_slot, std::uintptr_t{1})) continue;  // claim it
    p.end.store(e, std::memory_order_release);
    p.begin.store(b, std::memory_order_release);
    if (::mprotect(reinterpret_cast<void*>(b), e - b, PROT_READ) != 0)
      throw std::runtime_error(std::string("cannot make an input read-only: ") + std::strerror(errno));
    return;
  }
  throw std::runtime_error("more than 16384 inputs to protect at once");
}

void unprotect_input(void* begin, std::size_t len) {
  const auto [b, e] = pages_of(begin, len);
  ::mprotect(reinterpret_cast<void*>(b), e - b, PROT_READ | PROT_WRITE);
  for (Protected& p : g_protected)
    if (p.begin.load(std::memory_order_acquire) == b) {
      p.end.store(0, std::memory_order_release);
      p.begin.store(0, std::memory_order_release);
      return;
    }
}

const void* take_input_write() { return reinterpret_cast<const void*>(g_first_write.exchange(0)); }

void* HostMemory::alloc(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

void HostMemory::free(void* p) noexcept { std::free(p); }

}  // namespace elubench::bench
