#include "results/document.hpp"

#include <algorithm>
#include <set>

#include "build_info.hpp"
#include "elubench/cpu.hpp"
#include "elubench/layer.hpp"
#include "results/row_json.hpp"
#if ELUBENCH_HAVE_CUDA
#include "results/cccl_version.hpp"
#endif

namespace elubench::bench {

nlohmann::json gpu_timing_setup_to_json(const GpuTimingSetup& s) {
  return {{"stop_rule", {{"stdrel", s.rule.stdrel}, {"min_samples", s.rule.min_samples},
                         {"max_samples", s.rule.max_samples}, {"max_time_s", s.rule.max_time_s}}},
          {"hot_min_sample_s", s.hot_min_sample_s},
          {"hot_max_batch", s.hot_max_batch},
          {"blocking_kernel", s.blocking_kernel},
          {"flush", s.flush_method.empty() ? nlohmann::json(nullptr)
                                           : nlohmann::json{{"method", s.flush_method}, {"bytes", s.flush_bytes}}},
          {"warmup", {{"n", s.warmup_n}, {"variants", s.warmup_variants},
                      {"note", s.warmup_note.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.warmup_note)}}},
          {"nvml", s.nvml}};
}

namespace {

nlohmann::json host_json(const RunInfo& info) {
  return {{"hostname", info.hostname},
          {"cpu_model", cpu::cpu_model()},
          {"cores", info.cores},
          {"simd_target", cpu::simd_target()}};
}

nlohmann::json gpu_json(const std::optional<gpu::Info>& gpu) {
  if (!gpu) return nullptr;
  const gpu::Info& g = *gpu;
  return {{"name", g.name},
          {"ordinal", g.ordinal},
          {"compute_capability", std::to_string(g.compute_capability_major) + "." + std::to_string(g.compute_capability_minor)},
          {"sm_count", g.sm_count},
          {"l2_bytes", g.l2_bytes},
          {"memory_bytes", g.memory_bytes},
          {"memory_clock_khz", g.memory_clock_khz},
          {"bus_width_bits", g.bus_width_bits},
          {"peak_gbps", g.peak_gbps},
          {"driver_version", g.driver_version},
          {"runtime_version", g.runtime_version}};
}

nlohmann::json build_json() {
  namespace bi = build_info;
  nlohmann::json peers = nlohmann::json::object();
  for (const bi::Peer& p : bi::peers) peers[p.name] = p.built;
  nlohmann::json j = {{"compiler", bi::compiler},
          {"cuda", bi::cuda_version[0] ? nlohmann::json(bi::cuda_version) : nlohmann::json(nullptr)},
#if ELUBENCH_HAVE_CUDA
          {"cccl", cccl_version()},
#else
          {"cccl", nullptr},
#endif
          {"flags", bi::flags},
          {"build_type", bi::build_type},
          {"peers", peers}};
  if (const auto left_out = gpu::left_out_variants(); !left_out.empty()) j["left_out"] = left_out;
  return j;
}

// The shapes of the layer rows, in the order they first appear.
std::vector<std::string> layer_shapes_run(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows)
    if (r.layer && std::find(out.begin(), out.end(), to_string(*r.layer)) == out.end()) out.push_back(to_string(*r.layer));
  return out;
}

// What was selected (read from the rows, so --resume and the defaults are described as run)
// and how: the options that shape every row.
nlohmann::json config_json(const RunInfo& info, const std::vector<Row>& rows) {
  std::set<std::string> devs, acts, vars, dts;
  std::set<std::size_t> sizes;
  std::set<int> threads;
  for (const Row& r : rows) {
    devs.insert(std::string(to_string(r.variant->device)));
    acts.insert(std::string(to_string(r.variant->activation)));
    vars.insert(r.variant->variant);
    dts.insert(std::string(to_string(r.variant->dtype)));
    sizes.insert(r.n);
    if (r.threads) threads.insert(*r.threads);
  }
  std::vector<std::string> simd;  // best first, as simd_targets() lists them
  for (const std::string& t : cpu::simd_targets())
    if (std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.simd_target == t; })) simd.push_back(t);
  const Options& o = info.options;
  // Every parameter this build declares, with the values the run gave it (its default if none).
  nlohmann::json params = nlohmann::json::object();
  for (const ParamSpec& spec : all_param_specs()) {
    std::vector<double> values;
    for (float v : param_values(o, spec)) values.push_back(json_float(v));
    params[spec.name] = values;
  }
  nlohmann::json config = {{"devices", devs}, {"activations", acts}, {"variants", vars}, {"dtypes", dts}, {"sizes", sizes},
          {"params", params}, {"input", to_string(o.input)},
          {"cache", to_string(o.cache)}, {"threads", threads}, {"repetitions", o.repetitions}, {"quick", o.quick}, {"suite", suite_of(o)},
          {"simd_targets", simd},
          {"command_line", o.command_line}, {"argv", info.argv},
          {"gpu_timing", info.gpu_timing ? gpu_timing_setup_to_json(*info.gpu_timing) : nlohmann::json(nullptr)}};
  if (o.layers) config["layer_shapes"] = layer_shapes_run(rows);
  return config;
}

}  // namespace

nlohmann::json make_document(const RunInfo& info, const std::vector<Ceiling>& ceilings, const std::vector<Row>& rows) {
  nlohmann::json doc;
  doc["schema"] = "elubench-results";
  doc["schema_version"] = kSchemaVersion;
  doc["created"] = info.created_utc;
  doc["tool"] = {{"name", "elubench"}, {"version", build_info::version}, {"git_revision", build_info::git_revision}};
  doc["host"] = host_json(info);
  doc["gpu"] = gpu_json(info.gpu);
  doc["build"] = build_json();
  doc["config"] = config_json(info, rows);
  doc["ceilings"] = nlohmann::json::array();
  for (const auto& c : ceilings) doc["ceilings"].push_back(ceiling_to_json(c));
  doc["results"] = nlohmann::json::array();
  for (const auto& r : rows) doc["results"].push_back(row_to_json(r));
  return doc;
}

}  // namespace elubench::bench
