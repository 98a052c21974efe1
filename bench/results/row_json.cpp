#include "results/row_json.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "cli/selectable.hpp"
#include "elubench/cpu.hpp"
#include "elubench/layer.hpp"

namespace elubench::bench {

double json_float(float v) { return std::stod(shortest_float(v)); }

nlohmann::json row_params_json(const Row& r) {
  nlohmann::json p = nlohmann::json::object();
  const auto specs = r.variant->params();
  for (std::size_t i = 0; i < specs.size(); ++i) p[specs[i].name] = json_float(r.params[static_cast<int>(i)]);
  return p;
}

// ---- Writing ------------------------------------------------------------------------------

namespace {
nlohmann::json number_or_word(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : "inf";
}
template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json clocks_to_json(const ClockSummary& c) {
  return {{"sm_mhz", {{"min", c.sm_min}, {"max", c.sm_max}}},
          {"mem_mhz", {{"min", c.mem_min}, {"max", c.mem_max}}},
          {"temperature_max_c", opt(c.temperature_max_c)},
          {"power_max_w", opt(c.power_max_w)},
          {"throttle_reasons", throttle_reason_names(c.reasons)},
          {"readings", c.readings}};
}

nlohmann::json time_to_json(const Row& r) {
  if (r.status != Status::ok || !r.time) return nullptr;
  const Stats& s = *r.time;
  return {{"median", s.median}, {"min", s.min},       {"max", s.max},
          {"mean", s.mean},     {"stddev", s.stddev}, {"samples", s.samples}};
}

nlohmann::json accuracy_to_json(const std::optional<AccuracyRecord>& a) {
  if (!a) return nullptr;
  return {{"max_ulp", number_or_word(a->max_ulp)},
          {"max_abs_error", number_or_word(a->max_abs_error)},
          {"tolerance", a->tolerance},
          {"checked", a->checked}};
}
}  // namespace

nlohmann::json gpu_row_timing_to_json(const GpuRowTiming& t) {
  nlohmann::json j = {{"stop_reason", to_string(t.stop_reason)}, {"sample_count", t.sample_count}, {"batch", t.batch}};
  j["relative_standard_error"] =
      std::isfinite(t.relative_standard_error) ? nlohmann::json(t.relative_standard_error) : nlohmann::json(nullptr);
  if (t.clocks) {
    j["clocks"] = clocks_to_json(*t.clocks);
    j["clocks_reason"] = nullptr;
    j["throttled"] = t.clocks->throttled;
    j["throttle"] = t.clocks->why;
  } else {
    j["clocks"] = nullptr;
    j["clocks_reason"] = t.clocks_reason.empty() ? "no clock readings" : t.clocks_reason;
    j["throttled"] = nullptr;  // unknown, not "no"
    j["throttle"] = nlohmann::json::array();
  }
  return j;
}

namespace {
// A layer row's block: its shape and method, and what derive_layer_metrics and its check found.
nlohmann::json layer_to_json(const Row& r) {
  const LayerShape& s = *r.layer;
  return {{"m", s.m},
          {"k", s.k},
          {"n", s.n},
          {"matmul", r.variant->layer->matmul},
          {"epilogue", to_string(r.variant->layer->epilogue)},
          {"flops", layer_flops(s)},
          {"flops_per_s", opt(r.flops_per_s)},
          {"overhead_vs_identity", opt(r.overhead_vs_identity)},
          {"cost_vs_relu", opt(r.cost_vs_relu)},
          {"bound_used", opt(r.layer_bound_used)}};
}
}  // namespace

nlohmann::json row_to_json(const Row& r) {
  const Variant& v = *r.variant;
  const bool ok = r.status == Status::ok;
  nlohmann::json j;
  j["name"] = v.name;
  j["device"] = to_string(v.device);
  j["activation"] = to_string(v.activation);
  j["variant"] = v.variant;
  j["dtype"] = to_string(v.dtype);
  j["kind"] = to_string(v.kind);
  j["description"] = v.description;
  j["n"] = r.n;
  j["threads"] = opt(r.threads);
  j["threads_used"] = opt(r.threads_used);
  j["simd_target"] = opt(r.simd_target);
  j["cache"] = r.cache ? nlohmann::json(to_string(*r.cache)) : nlohmann::json(nullptr);
  j["input"] = to_string(r.input);
  j["params"] = row_params_json(r);
  j["cols"] = opt(r.cols);
  j["bytes"] = r.bytes;
  j["cache_resident"] = r.cache_resident;
  j["time_s"] = time_to_json(r);
  j["gbps"] = opt(r.gbps);
  j["elements_per_s"] = opt(r.elements_per_s);
  j["pct_of_ceiling"] = opt(r.pct_of_ceiling);
  j["pct_of_peak"] = opt(r.pct_of_peak);
  j["accuracy"] = accuracy_to_json(r.accuracy);
  if (r.layer) j["layer"] = layer_to_json(r);
  j["gpu_timing"] = ok && r.gpu_timing ? gpu_row_timing_to_json(*r.gpu_timing) : nlohmann::json(nullptr);
  j["status"] = to_string(r.status == Status::pending ? Status::skipped : r.status);
  j["reason"] = ok ? nlohmann::json(nullptr) : nlohmann::json(r.reason.empty() ? "unknown" : r.reason);
  return j;
}

// ---- Reading ------------------------------------------------------------------------------

namespace {
template <class T>
T field(const nlohmann::json& j, const char* key, const std::string& where) {
  return json_field<T>(j, key, where);
}
// A field that may be absent (files of earlier schema versions) or null.
template <class T>
std::optional<T> optional_field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return field<T>(j, key, where);
}
// A word from a closed set, read by parse (parse_input, parse_status, ...).
template <class Parse>
auto word(const nlohmann::json& j, const char* key, const std::string& where, Parse parse) {
  const std::string s = field<std::string>(j, key, where);
  const auto value = parse(s);
  if (!value) throw UsageError(where + ": unknown " + key + " '" + s + "'");
  return *value;
}
double number_or_word(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw UsageError(where + ": missing '" + key + "'");
  const auto& v = j.at(key);
  if (v.is_number()) return v.get<double>();
  if (v == "inf") return INFINITY;
  if (v == "nan") return NAN;
  throw UsageError(where + ": '" + key + "' is not a number: " + v.dump());
}

ClockSummary clocks_from_json(const nlohmann::json& j, const nlohmann::json& timing, const std::string& where) {
  ClockSummary c;
  const auto sm = field<nlohmann::json>(j, "sm_mhz", where), mem = field<nlohmann::json>(j, "mem_mhz", where);
  c.sm_min = field<unsigned>(sm, "min", where + " sm_mhz");
  c.sm_max = field<unsigned>(sm, "max", where + " sm_mhz");
  c.mem_min = field<unsigned>(mem, "min", where + " mem_mhz");
  c.mem_max = field<unsigned>(mem, "max", where + " mem_mhz");
  c.temperature_max_c = optional_field<unsigned>(j, "temperature_max_c", where);
  c.power_max_w = optional_field<double>(j, "power_max_w", where);
  const auto reasons = throttle_bits_of(field<std::vector<std::string>>(j, "throttle_reasons", where));
  if (!reasons) throw UsageError(where + ": unknown throttle reason in 'throttle_reasons'");
  c.reasons = *reasons;
  c.readings = field<int>(j, "readings", where);
  c.throttled = field<bool>(timing, "throttled", where);
  c.why = field<std::vector<std::string>>(timing, "throttle", where);
  return c;
}

// The parameters the row's activation declares, from `params` (schema 3 on: a name it does not
// declare, or a value outside the declared range, is refused); a declared one it lacks keeps its
// default. A row without `params` (schema 1 and 2) ran ELU at the row's `alpha`.
void read_params(const nlohmann::json& j, const std::string& where, Row& r) {
  const auto specs = r.variant->params();
  r.params = default_params(r.variant->activation);
  auto params = optional_field<nlohmann::json>(j, "params", where);
  if (!params && j.contains("alpha")) params = nlohmann::json{{"alpha", j["alpha"]}};
  if (!params) return;
  if (!params->is_object()) throw UsageError(where + ": 'params' is not an object");
  for (const auto& [name, value] : params->items()) {
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return name == s.name; });
    if (spec == specs.end()) {
      if (!j.contains("params")) continue;  // schema 1-2: `alpha` was written for every row
      throw UsageError(where + ": '" + r.variant->name + "' has no parameter '" + name + "'");
    }
    const float v = field<float>(*params, name.c_str(), where + " params");
    if (!(v >= spec->min && v <= spec->max))
      throw UsageError(where + ": params." + name + " = " + shortest_float(v) + " is outside its range");
    r.params.value[spec - specs.begin()] = v;
  }
}

void read_shape(const nlohmann::json& j, const std::string& where, Row& r) {
  r.n = field<std::size_t>(j, "n", where);
  r.threads = optional_field<int>(j, "threads", where);
  r.threads_used = optional_field<int>(j, "threads_used", where);
  r.simd_target = optional_field<std::string>(j, "simd_target", where);
  if (optional_field<std::string>(j, "cache", where)) r.cache = word(j, "cache", where, parse_cache);
  r.input = word(j, "input", where, parse_input);
  read_params(j, where, r);
  r.cols = optional_field<std::size_t>(j, "cols", where);
  r.bytes = field<std::size_t>(j, "bytes", where);
  r.cache_resident = field<bool>(j, "cache_resident", where);
}

// A layer row's block (a layer variant's row must have one; an elementwise row none).
void read_layer(const nlohmann::json& j, const std::string& where, Row& r) {
  const auto l = optional_field<nlohmann::json>(j, "layer", where);
  if (l.has_value() != r.variant->is_layer())
    throw UsageError(where + (l ? ": an elementwise variant with a 'layer' block" : ": a layer variant without its 'layer' block"));
  if (!l) return;
  const std::string at = where + " layer";
  r.layer = LayerShape{field<std::size_t>(*l, "m", at), field<std::size_t>(*l, "k", at), field<std::size_t>(*l, "n", at)};
  if (r.layer->m == 0 || r.layer->k == 0 || r.layer->n == 0 || r.n != r.layer->m * r.layer->n)
    throw UsageError(at + ": m, k, n must be > 0 and the row's n m * n");
  r.flops_per_s = optional_field<double>(*l, "flops_per_s", at);
  r.overhead_vs_identity = optional_field<double>(*l, "overhead_vs_identity", at);
  r.cost_vs_relu = optional_field<double>(*l, "cost_vs_relu", at);
  r.layer_bound_used = optional_field<double>(*l, "bound_used", at);
}

void read_outcome(const nlohmann::json& j, const std::string& where, Row& r) {
  r.status = word(j, "status", where, parse_status);
  if (r.status != Status::ok) r.reason = field<std::string>(j, "reason", where);
  if (r.status == Status::ok) {
    auto samples = field<std::vector<double>>(field<nlohmann::json>(j, "time_s", where), "samples", where + " time_s");
    if (samples.empty()) throw UsageError(where + ": an ok row without samples");
    r.time = compute_stats(std::move(samples));
  }
  if (const auto a = optional_field<nlohmann::json>(j, "accuracy", where)) {
    const std::string at = where + " accuracy";
    r.accuracy = AccuracyRecord{number_or_word(*a, "max_ulp", at), number_or_word(*a, "max_abs_error", at),
                                field<std::string>(*a, "tolerance", at), field<std::size_t>(*a, "checked", at)};
  }
  if (const auto t = optional_field<nlohmann::json>(j, "gpu_timing", where))
    r.gpu_timing = gpu_row_timing_from_json(*t, where + " gpu_timing");
}

// The variant the row names, checked against the fields that spell its parts.
const Variant& variant_of(const nlohmann::json& j) {
  const std::string name = field<std::string>(j, "name", "row");
  const Variant* v = find_selectable(name);
  if (!v) throw UsageError("row " + name + ": not a variant this elubench has (see --list)");
  const std::string where = "row " + name;
  for (const auto& [key, want] : {std::pair<const char*, std::string>{"device", std::string(to_string(v->device))},
                                  {"activation", std::string(to_string(v->activation))},
                                  {"variant", v->variant},
                                  {"dtype", std::string(to_string(v->dtype))}})
    if (const auto got = optional_field<std::string>(j, key, where); got && *got != want)
      throw UsageError(where + ": '" + key + "' is '" + *got + "', its name says '" + want + "'");
  return *v;
}
}  // namespace

GpuRowTiming gpu_row_timing_from_json(const nlohmann::json& j, const std::string& where) {
  GpuRowTiming t;
  t.stop_reason = word(j, "stop_reason", where, parse_stop_reason);
  t.sample_count = field<int>(j, "sample_count", where);
  t.batch = field<int>(j, "batch", where);
  t.relative_standard_error = optional_field<double>(j, "relative_standard_error", where).value_or(INFINITY);
  if (const auto c = optional_field<nlohmann::json>(j, "clocks", where)) t.clocks = clocks_from_json(*c, j, where);
  else t.clocks_reason = field<std::string>(j, "clocks_reason", where);
  return t;
}

Row row_from_json(const nlohmann::json& j) {
  Row r;
  r.variant = &variant_of(j);
  const std::string where = "row " + r.variant->name;
  read_shape(j, where, r);
  read_layer(j, where, r);
  read_outcome(j, where, r);
  if (r.simd_target) {
    if (!cpu::has_target_code(*r.variant)) throw UsageError(where + ": 'simd_target' on a row without code per target");
    r.variant = &on_simd_target(*r.variant, *r.simd_target);
  }
  return r;
}

}  // namespace elubench::bench
