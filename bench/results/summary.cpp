#include "results/summary.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "elubench/gpu.hpp"
#include "results/layer_summary.hpp"

namespace elubench::bench {

namespace {

std::string fmt(double v, int prec = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

// The activation part of the registry name (device/activation/variant/dtype), as the JSON's
// `activation` field: what rows are paired by, so no list of activations lives here.
std::string act_name(const Row& r) {
  const std::string& n = r.variant->name;
  const auto a = n.find('/'), b = n.find('/', a + 1);
  return n.substr(a + 1, b - a - 1);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The largest size with an ok row, per device.
std::map<Device, std::size_t> largest_sizes(const std::vector<Row>& rows) {
  std::map<Device, std::size_t> largest;
  for (const Row& r : rows)
    if (r.status == Status::ok) largest[r.variant->device] = std::max(largest[r.variant->device], r.n);
  return largest;
}

// The same variant, dtype, size and threads, activation relu: the row an ELU row is compared with.
const Row* relu_of(const std::vector<Row>& rows, const Row& e) {
  for (const Row& r : rows)
    if (r.status == Status::ok && act_name(r) == "relu" && r.variant->device == e.variant->device &&
        r.variant->variant == e.variant->variant && r.variant->dtype == e.variant->dtype && r.n == e.n &&
        r.threads == e.threads && r.simd_target == e.simd_target)
      return &r;
  return nullptr;
}

std::string throttle_note(const Row& r) {
  const ClockSummary& c = *r.gpu_timing->clocks;
  std::string why;
  for (const std::string& w : c.why) why += (why.empty() ? "" : ", ") + w;
  return r.variant->name + ": " + why + " (SM " + std::to_string(c.sm_min) + "-" + std::to_string(c.sm_max) + " MHz)";
}

// ---- Cost relative to ReLU, best kernel of each dtype ----------------------------------------

// (activation, params, threads, dtype) -> the fastest ok kernel's median at one device and size.
using BestKey = std::tuple<std::string, std::string, int, Dtype>;
using Best = std::map<BestKey, double>;

Best best_kernels(const std::vector<Row>& rows, Device d, std::size_t n) {
  Best best;
  for (const Row& r : rows) {
    if (r.status != Status::ok || r.variant->kind != Kind::kernel || r.variant->device != d || r.n != n) continue;
    const BestKey k{act_name(r), r.params_label(), r.threads.value_or(0), r.variant->dtype};
    const auto it = best.find(k);
    if (it == best.end() || r.time->median < it->second) best[k] = r.time->median;
  }
  return best;
}

std::optional<double> lookup(const Best& b, const std::string& act, const std::string& params, int threads, Dtype t) {
  const auto it = b.find({act, params, threads, t});
  return it == b.end() ? std::nullopt : std::optional<double>(it->second);
}

// X over ReLU for one (threads, dtype): forward, or forward + backward.
std::optional<double> cost(const Best& b, const std::string& act, const std::string& params, int threads, Dtype t,
                           bool with_backward) {
  const auto x = lookup(b, act, params, threads, t), relu = lookup(b, "relu", "", threads, t);
  if (!x || !relu) return std::nullopt;
  if (!with_backward) return *x / *relu;
  const auto xb = lookup(b, act + "_backward", params, threads, t), rb = lookup(b, "relu_backward", "", threads, t);
  if (!xb || !rb) return std::nullopt;
  return (*x + *xb) / (*relu + *rb);
}

// "1.31x in f32, 1.05x in f16 and 1.07x in bf16 on 1 thread; 1.10x in f32 on 2 threads"; empty
// when no pair was measured.
std::string cost_phrase(const Best& b, const std::string& act, const std::string& params, bool with_backward) {
  std::set<int> threads;
  for (const auto& [k, t] : b) threads.insert(std::get<2>(k));
  std::string out;
  for (int th : threads) {
    std::vector<std::string> parts;
    for (Dtype t : {Dtype::f32, Dtype::f16, Dtype::bf16})
      if (const auto c = cost(b, act, params, th, t, with_backward))
        parts.push_back(fmt(*c, 2) + "x in " + std::string(to_string(t)));
    if (parts.empty()) continue;
    std::string p = parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) p += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
    if (th > 0) p += " on " + std::to_string(th) + (th == 1 ? " thread" : " threads");
    out += (out.empty() ? "" : "; ") + p;
  }
  return out;
}

// The forward activations present besides ReLU, with the params each ran at.
std::set<std::pair<std::string, std::string>> forward_activations(const Best& b) {
  std::set<std::pair<std::string, std::string>> acts;
  for (const auto& [k, t] : b) {
    const std::string& a = std::get<0>(k);
    if (a != "relu" && !ends_with(a, "_backward")) acts.insert({a, std::get<1>(k)});
  }
  return acts;
}

std::string size_text(std::size_t n) {
  for (int k = 0; k < 64; ++k)
    if (n == (std::size_t{1} << k)) return "2^" + std::to_string(k);
  return std::to_string(n);
}

// The ELU sentence of one device; "ELU (alpha=0.5)" when the run has several alphas.
std::string elu_sentence(const Best& b, Device d, std::size_t n, const std::string& params) {
  const std::string head = std::string(to_string(d)) + " at n=" + size_text(n) + " (best kernel of each dtype): ELU" +
                           (params.empty() ? "" : " (" + params.substr(1) + ")");
  const std::string fwd = cost_phrase(b, "elu", params, false);
  if (fwd.empty()) return head + " was not measured beside ReLU.";
  const std::string both = cost_phrase(b, "elu", params, true);
  return head + "'s time over ReLU's is " + fwd + (both.empty() ? "" : "; forward + backward " + both) + ".";
}

void print_row_counts(const std::vector<Row>& rows, std::FILE* out) {
  std::map<Status, std::size_t> count;
  for (const Row& r : rows) ++count[r.status];
  std::fprintf(out, "rows: %zu ok, %zu skipped, %zu failed", count[Status::ok], count[Status::skipped], count[Status::failed]);
  if (count[Status::interrupted]) std::fprintf(out, ", %zu interrupted", count[Status::interrupted]);
  std::fprintf(out, "\n");
}

}  // namespace

std::vector<std::string> cost_summary(const std::vector<Row>& rows) {
  std::vector<std::string> lines;
  for (const auto& [device, n] : largest_sizes(rows)) {
    const Best b = best_kernels(rows, device, n);
    if (b.empty()) continue;
    const auto acts = forward_activations(b);
    bool any_elu = false;
    for (const auto& [act, params] : acts)
      if (act == "elu") lines.push_back(elu_sentence(b, device, n, params)), any_elu = true;
    if (!any_elu) lines.push_back(elu_sentence(b, device, n, ""));
    for (const auto& [act, params] : acts) {
      if (act == "elu") continue;
      const std::string fwd = cost_phrase(b, act, params, false), both = cost_phrase(b, act, params, true);
      std::string line = "  " + act + params + " vs ReLU: forward " + (fwd.empty() ? "not measured beside ReLU" : fwd);
      if (!both.empty()) line += "; forward + backward " + both;
      lines.push_back(line);
    }
  }
  return lines;
}

void print_summary(const std::vector<Row>& rows, std::FILE* out) {
  // With GPU rows, the driver/toolkit pair first: a driver older than the build explains every
  // skipped GPU row below it.
  if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.variant->device == Device::gpu; }))
    std::fprintf(out, "%s\n", gpu::check_driver().pair.c_str());
  // A run is of layer rows or of elementwise rows.
  if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.layer.has_value(); })) {
    print_layer_summary(rows, out);
    return print_row_counts(rows, out);
  }
  const auto largest = largest_sizes(rows);
  std::fprintf(out, "%-36s %12s %8s %9s %8s %9s\n", "variant", "n", "threads", "GB/s", "%ceil", "ELU/ReLU");
  std::vector<std::string> throttle_notes;
  for (const Row& r : rows) {
    if (r.status != Status::ok || r.n != largest.at(r.variant->device)) continue;
    std::string ratio = "-";
    if (act_name(r) == "elu")
      if (const Row* q = relu_of(rows, r)) ratio = fmt(r.time->median / q->time->median, 2);
    // A GPU row whose clock moved or that hit a power/thermal limit gets a mark and a footnote.
    const bool throttled = r.gpu_timing && r.gpu_timing->clocks && r.gpu_timing->clocks->throttled;
    std::fprintf(out, "%-36s %12zu %8s %9s %8s %9s%s\n", (r.variant->name + r.params_label() + (r.simd_target ? " " + *r.simd_target : "")).c_str(), r.n,
                 r.threads ? std::to_string(*r.threads).c_str() : "-", r.gbps ? fmt(*r.gbps, 2).c_str() : "-",
                 r.pct_of_ceiling ? fmt(*r.pct_of_ceiling).c_str() : "-", ratio.c_str(), throttled ? " !" : "");
    if (throttled) throttle_notes.push_back(throttle_note(r));
  }
  for (const std::string& note : throttle_notes) std::fprintf(out, "  ! throttled: %s\n", note.c_str());
  for (const std::string& line : cost_summary(rows)) std::fprintf(out, "%s\n", line.c_str());
  print_row_counts(rows, out);
}

}  // namespace elubench::bench
