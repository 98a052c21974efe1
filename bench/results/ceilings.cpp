#include "results/ceilings.hpp"

#include "results/layer_metrics.hpp"

namespace elubench::bench {

namespace {
// Rows still pending were never run: skipped, with the likely reason.
void settle_pending(Row& r) {
  if (r.status != Status::pending) return;
  r.status = Status::skipped;
  if (r.reason.empty()) r.reason = "not run (deselected by --benchmark_filter?)";
}

// An ok row's rates; false when it has none (a median of 0: a timer that did not tick).
bool fill_rates(Row& r, double gpu_peak_gbps) {
  const double t = r.time->median;
  if (t <= 0) return false;
  r.gbps = static_cast<double>(r.bytes) / t / 1e9;
  r.elements_per_s = static_cast<double>(r.n) / t;
  if (r.variant->device == Device::gpu && gpu_peak_gbps > 0) r.pct_of_peak = 100.0 * *r.gbps / gpu_peak_gbps;
  return true;
}
}  // namespace

std::vector<Ceiling> derive_metrics(std::vector<Row>& rows, double gpu_peak_gbps) {
  std::map<CellKey, Ceiling> best;
  for (Row& r : rows) {
    settle_pending(r);
    if (r.status != Status::ok || !fill_rates(r, gpu_peak_gbps) || r.variant->kind != Kind::ceiling || r.layer) continue;
    const CellKey k = cell_of(r);
    auto it = best.find(k);
    if (it == best.end() || *r.gbps > it->second.gbps)
      best.insert_or_assign(k, Ceiling{r.variant->device, r.variant->dtype, r.n, r.threads, r.variant->name,
                                       r.time->median, *r.gbps, std::nullopt});
  }
  fold_in_fewer_threads(
      best, [](const Ceiling& fewer, const Ceiling& c) { return fewer.gbps > c.gbps; },
      [](Ceiling& c, const Ceiling& fewer) {
        c = Ceiling{c.device, c.dtype, c.n, c.threads, fewer.variant, fewer.median_s, fewer.gbps,
                    fewer.copy_threads ? fewer.copy_threads : fewer.threads};
      });
  for (Row& r : rows) {
    if (!r.gbps || r.layer) continue;  // a layer's ceiling is its identity layer (derive_layer_metrics)
    const auto it = best.find(cell_of(r));
    // Bandwidth against bandwidth: a kernel that moves more bytes than a copy (bias_then_act)
    // is judged by how well it streams them, as BabelStream does.
    if (it != best.end()) r.pct_of_ceiling = 100.0 * *r.gbps / it->second.gbps;
  }
  derive_layer_metrics(rows);
  std::vector<Ceiling> out;
  for (auto& [k, c] : best) out.push_back(c);
  return out;
}

nlohmann::json ceiling_to_json(const Ceiling& c) {
  nlohmann::json j = {{"device", to_string(c.device)},
                      {"dtype", to_string(c.dtype)},
                      {"n", c.n},
                      {"threads", c.threads ? nlohmann::json(*c.threads) : nlohmann::json(nullptr)},
                      {"variant", c.variant},
                      {"median_s", c.median_s},
                      {"gbps", c.gbps}};
  if (c.copy_threads) j["copy_threads"] = *c.copy_threads;
  return j;
}

}  // namespace elubench::bench
