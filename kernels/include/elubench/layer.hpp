// Layers: y = act(x . w + bias), the activation where a network has it, after a matmul (issue 19).
// What a layer call is worth (FLOPs, bytes), how ours fuses it by tiling (the tile plan), the
// default shapes per device, and the "MxKxN" spelling of a shape. The layer rows themselves are
// in the registry (Variant::layer, layer_variants()); their float64 check is reference_layer.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elubench/registry.hpp"

namespace elubench {

// "64x1024x4096": m x k x n.
std::string to_string(const LayerShape& s);
// "MxKxN" with M, K, N decimal integers > 0 ('x' or 'X' between them, nothing else); nullopt
// for anything else (a zero, a sign, spaces, overflow of m * k, k * n or m * n elements).
std::optional<LayerShape> parse_layer_shape(std::string_view s);
// A comma-separated list of shapes ("1x1024x4096,64x1024x4096"); throws std::invalid_argument
// with one line naming the first item that is not a shape.
std::vector<LayerShape> parse_layer_shapes(std::string_view list);

// The work of one call: 2 m k n FLOPs, the matmul's multiply-adds. The bias and the activation
// are not counted, so every activation's layer of one shape divides the same number and FLOP/s
// compare as times do.
double layer_flops(const LayerShape& s);
// The bytes one call must move at least: x, w and bias read once, y written once, in dtype d.
std::size_t layer_bytes(const LayerShape& s, Dtype d);

// A tile of y: rows [row, row + rows) and columns [col, col + cols).
struct Tile {
  std::size_t row, rows, col, cols;
};
// How ours fuses by tiling: y cut into row_tiles bands of near-equal height (at most `rows`
// rows, m * i / row_tiles to m * (i + 1) / row_tiles), each band into panels of `cols` columns
// (the last one narrower), each tile's matmul run and its activation applied right after, while
// the tile is still in cache.
struct LayerTiles {
  std::size_t row_tiles, rows, cols;
};
// The tile plan for shape s in dtype d, with `cache_bytes` of cache per worker (a CPU core's L2;
// a GPU's whole L2 with workers = 1) and `workers` running tiles at once:
//  - a tile's output takes at most half the cache (the other half holds the rows of x and the
//    panel of w that the matmul streams through), at least one row;
//  - tiles span whole rows of y when one row fits that half (a contiguous tile, one activation
//    call), else column panels of a multiple of 64 elements (split_columns; without it, one row);
//  - row_tiles is a multiple of `workers` where y has the rows for it, so that no worker waits on
//    another's extra tile; with fewer rows than workers (and split_columns), the columns are
//    shared out in panels of at least 64 elements, so that there are at least `workers` tiles
//    wherever y has that many rows or panels.
// Pure, for the tests; throws std::invalid_argument for a zero dimension or workers < 1.
LayerTiles plan_layer_tiles(const LayerShape& s, Dtype d, std::size_t cache_bytes, int workers,
                            bool split_columns = true);
std::size_t tile_count(const LayerShape& s, const LayerTiles& plan);
// Tile i of the plan, row-major over (row tile, column tile); i < tile_count.
Tile tile_at(const LayerShape& s, const LayerTiles& plan, std::size_t i);
// The layer a (of dtype d) restricted to y's rows [row, row + rows): x's rows, the same w and
// bias, y's rows; layer.m and n describe the block, which is dense like the whole.
RunArgs rows_args(const RunArgs& a, Dtype d, std::size_t row, std::size_t rows);

// The L2 cache of one CPU core in bytes (sysconf), 1 MiB where the system does not say.
std::size_t cpu_l2_bytes();
// The cache the CPU's tiled rows plan for, per core: ELUBENCH_LAYER_CACHE_BYTES where set (read
// at every call: the tests force many small tiles with it; a user may tune with it), else
// cpu_l2_bytes().
std::size_t cpu_tile_cache_bytes();

// A layer from a real network: the (k, n) of its matmul, and the row counts m it is run at.
struct LayerFamily {
  const char* name;  // "mlp_up", "mlp_down", "conv3x3_c32", "conv3x3_c64"
  std::size_t k, n;
  std::vector<std::size_t> m;
};
// The default layer suite of a device: a transformer MLP, (k, n) = (1024, 4096) and
// (4096, 1024), and a 3x3 convolution as a GEMM (k = 9 C, n = C, m = the feature map's pixels)
// for C = 32 and 64; m from one token up to what keeps one call near 50 ms on the device
// (docs/layers.md has the estimate), sized so that the CPU suite runs in minutes on 2 cores.
std::vector<LayerFamily> default_layer_families(Device d);
std::vector<LayerShape> default_layer_shapes(Device d);

// Runs the tiles with indices [begin, end) in order: for each, matmul(tile) then activate(tile).
template <class Matmul, class Activate>
void for_tiles(const LayerShape& s, const LayerTiles& plan, std::size_t begin, std::size_t end, Matmul&& matmul,
               Activate&& activate) {
  for (std::size_t i = begin; i < end; ++i) {
    const Tile t = tile_at(s, plan, i);
    matmul(t);
    activate(t);
  }
}

}  // namespace elubench
