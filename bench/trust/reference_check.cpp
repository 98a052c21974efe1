#include "trust/reference_check.hpp"

#include <cmath>
#include <cstring>

#include "plan/inputs.hpp"

namespace elubench::bench {

CheckResult check_parallel(const Variant& v, const void* x, const void* y, std::size_t n, const ActivationParams& p,
                           const void* bias, std::size_t cols, int threads, const void* grad) {
  const std::size_t unit = v.uses_bias ? cols : 1;  // bias chunks start at a row so i % cols holds
  const std::size_t units = unit ? n / unit : 0;
  const std::size_t t = std::max<std::size_t>(1, std::min<std::size_t>(threads, units / 4096 + 1));
  const std::size_t es = dtype_size(v.dtype);
  std::vector<CheckResult> parts(t);
  fan_out(n, t, unit, [&](std::size_t k, std::size_t b, std::size_t e) {
    const char* g = grad ? static_cast<const char*>(grad) + b * es : nullptr;
    parts[k] = check_against_reference(v, static_cast<const char*>(x) + b * es, static_cast<const char*>(y) + b * es,
                                       e - b, p, bias, cols, g);
    parts[k].worst_index += b;
    if (!parts[k].ok) parts[k].message += " [element index within the chunk at " + std::to_string(b) + "]";
  });
  CheckResult r;
  r.checked = 0;
  for (const CheckResult& p : parts) {
    r.checked += p.checked;
    if (p.max_ulp > r.max_ulp || std::isnan(p.max_ulp)) {
      r.max_ulp = p.max_ulp;
      r.worst_index = p.worst_index;
    }
    r.max_abs_error = std::max(r.max_abs_error, p.max_abs_error);
    if (!p.ok && r.ok) {
      r.ok = false;
      r.message = p.message;
    }
  }
  return r;
}

std::uint64_t output_digest(const void* data, std::size_t bytes) {
  constexpr std::size_t kChunk = std::size_t{1} << 24;
  const std::size_t chunks = (bytes + kChunk - 1) / kChunk;
  std::vector<std::uint64_t> part(chunks);
  const auto* p = static_cast<const unsigned char*>(data);
  fan_out(chunks, std::min(host_threads(), chunks), 1, [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      std::uint64_t h = 0x9E3779B97F4A7C15ull * (c + 1);
      const std::size_t begin = c * kChunk, end = std::min(bytes, begin + kChunk);
      for (std::size_t i = begin; i < end; i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, p + i, std::min<std::size_t>(8, end - i));
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
      }
      part[c] = h;
    }
  });
  std::uint64_t h = bytes;
  for (std::uint64_t x : part) h = (h ^ x) * 0xC4CEB9FE1A85EC53ull + 0x9E3779B97F4A7C15ull;
  return h;
}

}  // namespace elubench::bench
