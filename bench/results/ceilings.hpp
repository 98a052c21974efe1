// The copy ceilings of a run and the rates derived from them: every ok row's GB/s, elements/s,
// % of its cell's ceiling and % of the GPU's peak, once every row has run.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "results/row.hpp"

namespace elubench::bench {

struct Ceiling {
  Device device;
  Dtype dtype;
  std::size_t n;
  std::optional<int> threads;
  std::string variant;  // full registry name of the fastest copy
  double median_s;
  double gbps;
  std::optional<int> copy_threads;  // the threads that copy ran on, when fewer than the cell's
};

// A ceiling cell: (device, dtype, n, threads), threads 0 on the GPU.
using CellKey = std::tuple<Device, Dtype, std::size_t, int>;
inline CellKey cell_of(const Row& r) { return {r.variant->device, r.variant->dtype, r.n, r.threads.value_or(0)}; }

// A CPU row asked for T threads may run on fewer (cpu::threads_for below 2 x 4096 elements per
// thread; a peer's pool decides for itself), so every copy with up to T threads is within its
// reach: each CPU cell takes the best value of the cells of its (dtype, n) with fewer threads
// when `better(fewer, cell)`, through adopt(cell, fewer). std::map sorts threads last, so the
// previous cell is the one with the next fewer threads, already folded.
template <class V, class Better, class Adopt>
void fold_in_fewer_threads(std::map<CellKey, V>& cells, Better better, Adopt adopt) {
  const std::pair<const CellKey, V>* prev = nullptr;
  for (auto& cell : cells) {
    const auto& [device, dtype, n, threads] = cell.first;
    if (prev && device == Device::cpu && std::get<0>(prev->first) == device && std::get<1>(prev->first) == dtype &&
        std::get<2>(prev->first) == n && better(prev->second, cell.second))
      adopt(cell.second, prev->second);
    prev = &cell;
  }
}

// Fills gbps, elements/s, % of the copy ceiling and % of peak for every ok row, and returns
// the ceilings: the fastest ok copy row per (device, dtype, n, threads). gpu_peak_gbps <= 0
// leaves pct_of_peak null (CPU rows always). Rows still pending become "skipped".
std::vector<Ceiling> derive_metrics(std::vector<Row>& rows, double gpu_peak_gbps);

nlohmann::json ceiling_to_json(const Ceiling& c);

}  // namespace elubench::bench
