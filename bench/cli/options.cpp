#include "cli/options.hpp"

#include <utility>

namespace elubench::bench {

std::string_view to_string(Input i) {
  switch (i) {
    case Input::normal: return "normal";
    case Input::negative: return "negative";
    case Input::positive: return "positive";
  }
  return "?";
}

std::string_view to_string(Cache c) {
  switch (c) {
    case Cache::cold: return "cold";
    case Cache::hot: return "hot";
  }
  return "?";
}

std::optional<Input> parse_input(std::string_view s) {
  for (Input i : {Input::normal, Input::negative, Input::positive})
    if (to_string(i) == s) return i;
  return std::nullopt;
}

std::optional<Cache> parse_cache(std::string_view s) {
  for (Cache c : {Cache::cold, Cache::hot})
    if (to_string(c) == s) return c;
  return std::nullopt;
}

std::string_view suite_of(const Options& o) {
  if (o.full) return "full";
  if (o.quick) return "quick";
  if (o.layers) return "layers";
  const bool selected = !o.activations.empty() || !o.variants.empty() || !o.dtypes.empty() || !o.sizes.empty();
  return selected ? "selected" : "default";
}

std::vector<float> param_values(const Options& o, const ParamSpec& spec) {
  for (const ParamValues& p : o.params)
    if (p.name == spec.name) return p.values;
  return {spec.default_value};
}

std::vector<ActivationParams> param_combinations(const Options& o, std::span<const ParamSpec> specs) {
  std::vector<ActivationParams> out{ActivationParams{}};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    std::vector<ActivationParams> next;
    for (const ActivationParams& base : out)
      for (float v : param_values(o, specs[i])) {
        ActivationParams p = base;
        p.value[i] = v;
        next.push_back(p);
      }
    out = std::move(next);
  }
  return out;
}

}  // namespace elubench::bench
