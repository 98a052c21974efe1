#include "results/layer_summary.hpp"

#include <map>
#include <optional>
#include <tuple>

#include "elubench/layer.hpp"

namespace elubench::bench {

namespace {
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The fastest ok row of one activation in a (device, dtype, shape, threads) group.
struct Fastest {
  const Row* elu = nullptr;
  const Row* relu = nullptr;
};
using Group = std::tuple<Device, Dtype, double, std::size_t, std::size_t, std::size_t, int>;  // flops first: the biggest last

void keep_fastest(const Row*& best, const Row& r) {
  if (!best || r.time->median < best->time->median) best = &r;
}

std::map<Group, Fastest> elu_and_relu(const std::vector<Row>& rows) {
  std::map<Group, Fastest> groups;
  std::optional<ActivationParams> first_params;  // ELU at the first alpha the rows hold
  for (const Row& r : rows) {
    if (!r.layer || r.status != Status::ok || !r.time) continue;
    const Activation a = r.variant->activation;
    if (a != Activation::elu && a != Activation::relu) continue;
    if (a == Activation::elu && !first_params) first_params = r.params;
    if (a == Activation::elu && r.params != *first_params) continue;
    const LayerShape& s = *r.layer;
    Fastest& f = groups[{r.variant->device, r.variant->dtype, layer_flops(s), s.m, s.k, s.n, r.threads.value_or(0)}];
    keep_fastest(a == Activation::elu ? f.elu : f.relu, r);
  }
  return groups;
}
}  // namespace

std::vector<std::string> layer_headlines(const std::vector<Row>& rows) {
  std::map<std::pair<Device, Dtype>, std::pair<Group, Fastest>> pick;  // the last (largest) group with both
  for (const auto& [g, f] : elu_and_relu(rows))
    if (f.elu && f.relu) pick[{std::get<0>(g), std::get<1>(g)}] = {g, f};
  std::vector<std::string> lines;
  for (const auto& [dd, gf] : pick) {
    const auto& [g, f] = gf;
    const LayerShape s{std::get<3>(g), std::get<4>(g), std::get<5>(g)};
    const int threads = std::get<6>(g);
    std::string head = std::string(to_string(dd.first)) + " " + std::string(to_string(dd.second));
    if (threads > 0) head += ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
    lines.push_back(head + ": inside a (" + std::to_string(s.k) + ", " + std::to_string(s.n) + ") layer at " +
                    std::to_string(s.m) + " rows, ELU costs " + fmt("%.2f", f.elu->time->median / f.relu->time->median) +
                    "x ReLU's layer (fastest of each: " + f.elu->variant->variant + ", " + f.relu->variant->variant + ")");
  }
  return lines;
}

void print_layer_summary(const std::vector<Row>& rows, std::FILE* out) {
  std::fprintf(out, "%-44s %16s %7s %9s %9s %8s\n", "layer variant", "MxKxN", "threads", "GFLOP/s", "overhead", "x ReLU");
  for (const Row& r : rows) {
    if (!r.layer || r.status != Status::ok) continue;
    std::fprintf(out, "%-44s %16s %7s %9s %9s %8s\n", (r.variant->name + r.params_label()).c_str(),
                 to_string(*r.layer).c_str(), r.threads ? std::to_string(*r.threads).c_str() : "-",
                 r.flops_per_s ? fmt("%.1f", *r.flops_per_s / 1e9).c_str() : "-",
                 r.overhead_vs_identity ? fmt("%+.1f%%", 100 * *r.overhead_vs_identity).c_str() : "-",
                 r.cost_vs_relu ? fmt("%.2f", *r.cost_vs_relu).c_str() : "-");
  }
  for (const std::string& line : layer_headlines(rows)) std::fprintf(out, "%s\n", line.c_str());
}

}  // namespace elubench::bench
