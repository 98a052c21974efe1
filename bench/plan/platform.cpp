#include "plan/platform.hpp"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <fstream>

namespace elubench::bench {

namespace {
// "32K", "1M" or a plain number of bytes, as sysfs writes a cache size; 0 when unreadable.
std::size_t cache_size_bytes(std::string s) {
  if (s.empty()) return 0;
  std::size_t mult = 1;
  if (s.back() == 'K') mult = 1024;
  if (s.back() == 'M') mult = 1024 * 1024;
  if (mult != 1) s.pop_back();
  try {
    return static_cast<std::size_t>(std::stoull(s)) * mult;
  } catch (const std::exception&) {
    return 0;
  }
}
}  // namespace

std::size_t cpu_last_level_cache_bytes() {
  std::size_t best = 0;
  for (int i = 0; i < 8; ++i) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/size");
    std::string s;
    if (in >> s) best = std::max(best, cache_size_bytes(s));
  }
  if (best == 0) {
    const long l3 = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (l3 > 0) best = static_cast<std::size_t>(l3);
  }
  return best;
}

std::size_t physical_memory() {
  return static_cast<std::size_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace elubench::bench
