#include "results/row.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "elubench/layer.hpp"

namespace elubench::bench {

Stats compute_stats(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("compute_stats: no samples");
  Stats s;
  s.samples = samples;
  std::sort(samples.begin(), samples.end());
  const std::size_t k = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  s.median = k % 2 ? samples[k / 2] : 0.5 * (samples[k / 2 - 1] + samples[k / 2]);
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(k);
  double ss = 0;
  for (double x : samples) ss += (x - s.mean) * (x - s.mean);
  s.stddev = k > 1 ? std::sqrt(ss / static_cast<double>(k - 1)) : 0.0;
  return s;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::pending: return "pending";
    case Status::ok: return "ok";
    case Status::skipped: return "skipped";
    case Status::failed: return "failed";
    case Status::interrupted: return "interrupted";
  }
  return "?";
}

std::optional<Status> parse_status(std::string_view s) {
  for (Status st : {Status::ok, Status::skipped, Status::failed, Status::interrupted})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::size_t bias_cols(std::size_t n) {
  std::size_t c = 1024;
  while (c > 1 && n % c != 0) c /= 2;
  return c;
}

std::string shortest_float(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string Row::label() const {
  std::string s = variant->name + (layer ? " shape=" + to_string(*layer) : " n=" + std::to_string(n));
  if (threads) s += " threads=" + std::to_string(*threads);
  if (cols) s += " cols=" + std::to_string(*cols);
  if (cache) s += std::string(" cache=") + std::string(to_string(*cache));
  if (simd_target) s += " simd=" + *simd_target;
  return s + params_label();
}

std::string Row::params_label() const {
  std::string s;
  const auto specs = variant->params();
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (params[static_cast<int>(i)] != specs[i].default_value)
      s.append(" ").append(specs[i].name).append("=").append(shortest_float(params[static_cast<int>(i)]));
  return s;
}

}  // namespace elubench::bench
