#include "elubench/layer.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace elubench {

namespace {
std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
std::size_t round_up(std::size_t a, std::size_t b) { return ceil_div(a, b) * b; }

// One decimal dimension > 0 at the front of s, consumed; nullopt for anything else.
std::optional<std::size_t> take_dim(std::string_view& s) {
  std::size_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end == s.data() || v == 0) return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return v;
}
bool take_x(std::string_view& s) {
  if (s.empty() || (s.front() != 'x' && s.front() != 'X')) return false;
  s.remove_prefix(1);
  return true;
}
bool product_fits(std::size_t a, std::size_t b) { return b == 0 || a <= std::numeric_limits<std::size_t>::max() / b; }
}  // namespace

std::string to_string(const LayerShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n);
}

std::optional<LayerShape> parse_layer_shape(std::string_view s) {
  LayerShape r;
  const auto m = take_dim(s);
  if (!m || !take_x(s)) return std::nullopt;
  const auto k = take_dim(s);
  if (!k || !take_x(s)) return std::nullopt;
  const auto n = take_dim(s);
  if (!n || !s.empty()) return std::nullopt;
  if (!product_fits(*m, *k) || !product_fits(*k, *n) || !product_fits(*m, *n)) return std::nullopt;
  return LayerShape{*m, *k, *n};
}

std::vector<LayerShape> parse_layer_shapes(std::string_view list) {
  std::vector<LayerShape> out;
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    const auto shape = parse_layer_shape(item);
    if (!shape)
      throw std::invalid_argument("not a layer shape: '" + std::string(item) +
                                  "' (want MxKxN with M, K, N > 0, e.g. 64x1024x4096; shapes separated by commas)");
    out.push_back(*shape);
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

double layer_flops(const LayerShape& s) {
  return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) * static_cast<double>(s.n);
}

std::size_t layer_bytes(const LayerShape& s, Dtype d) {
  return (s.m * s.k + s.k * s.n + s.n + s.m * s.n) * dtype_size(d);
}

namespace {
// Column panels (when a tile's row is split) are a multiple of this many elements: whole
// 64-byte lines for every dtype, and a multiple of the matmul's 16- or 32-wide register blocks.
constexpr std::size_t kPanel = 64;

// Row tiles: as many as the cache budget needs, rounded up to a multiple of the workers where
// there are the rows for it.
std::size_t plan_row_tiles(std::size_t m, std::size_t rows_fit, std::size_t workers) {
  const std::size_t tiles = ceil_div(m, rows_fit);
  return round_up(tiles, workers) <= m ? round_up(tiles, workers) : tiles;
}
}  // namespace

LayerTiles plan_layer_tiles(const LayerShape& s, Dtype d, std::size_t cache_bytes, int workers, bool split_columns) {
  if (s.m == 0 || s.k == 0 || s.n == 0) throw std::invalid_argument("plan_layer_tiles: a zero dimension in " + to_string(s));
  if (workers < 1) throw std::invalid_argument("plan_layer_tiles: workers < 1");
  const std::size_t w = static_cast<std::size_t>(workers);
  const std::size_t budget = std::max<std::size_t>(cache_bytes / 2 / dtype_size(d), 1);  // elements of y
  std::size_t cols = s.n;
  if (split_columns && s.n > budget) cols = std::max(kPanel, budget / kPanel * kPanel);
  const std::size_t row_tiles = plan_row_tiles(s.m, std::max<std::size_t>(budget / cols, 1), w);
  // Too few rows for every worker (one token on two cores): the rows' columns are shared out.
  if (split_columns && row_tiles * ceil_div(s.n, cols) < w) {
    const std::size_t col_tiles = ceil_div(w, row_tiles);
    cols = std::min(cols, std::max(kPanel, round_up(ceil_div(s.n, col_tiles), kPanel)));
  }
  return {row_tiles, ceil_div(s.m, row_tiles), cols};
}

std::size_t tile_count(const LayerShape& s, const LayerTiles& plan) { return plan.row_tiles * ceil_div(s.n, plan.cols); }

Tile tile_at(const LayerShape& s, const LayerTiles& plan, std::size_t i) {
  const std::size_t col_tiles = ceil_div(s.n, plan.cols);
  const std::size_t band = i / col_tiles, col = i % col_tiles * plan.cols;
  const std::size_t row = s.m * band / plan.row_tiles, end = s.m * (band + 1) / plan.row_tiles;
  return {row, end - row, col, std::min(plan.cols, s.n - col)};
}

RunArgs rows_args(const RunArgs& a, Dtype d, std::size_t row, std::size_t rows) {
  const std::size_t es = dtype_size(d);
  RunArgs b = a;
  b.x = static_cast<const char*>(a.x) + row * a.layer.k * es;
  b.y = static_cast<char*>(a.y) + row * a.layer.n * es;
  b.layer.m = rows;
  b.n = rows * a.layer.n;
  return b;
}

std::size_t cpu_l2_bytes() {
  const long l2 = ::sysconf(_SC_LEVEL2_CACHE_SIZE);
  return l2 > 0 ? static_cast<std::size_t>(l2) : std::size_t{1} << 20;
}

std::size_t cpu_tile_cache_bytes() {
  if (const char* env = std::getenv("ELUBENCH_LAYER_CACHE_BYTES"))
    if (const auto v = std::strtoull(env, nullptr, 10); v > 0) return static_cast<std::size_t>(v);
  return cpu_l2_bytes();
}

std::vector<LayerFamily> default_layer_families(Device d) {
  // m: one token, a batch of 64 (the threshold), and up to ~50 ms a call on the device.
  if (d == Device::cpu)
    return {{"mlp_up", 1024, 4096, {1, 64, 256}},
            {"mlp_down", 4096, 1024, {1, 64, 256}},
            {"conv3x3_c32", 9 * 32, 32, {256, 4096, 16384}},
            {"conv3x3_c64", 9 * 64, 64, {256, 4096, 16384}}};
  return {{"mlp_up", 1024, 4096, {1, 64, 512, 4096, 32768}},
          {"mlp_down", 4096, 1024, {1, 64, 512, 4096, 32768}},
          {"conv3x3_c32", 9 * 32, 32, {4096, 65536, 1048576}},
          {"conv3x3_c64", 9 * 64, 64, {4096, 65536, 1048576}}};
}

std::vector<LayerShape> default_layer_shapes(Device d) {
  std::vector<LayerShape> out;
  for (const LayerFamily& f : default_layer_families(d))
    for (std::size_t m : f.m) out.push_back({m, f.k, f.n});
  return out;
}

}  // namespace elubench
