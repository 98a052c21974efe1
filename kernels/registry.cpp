#include "elubench/registry.hpp"

#include <algorithm>
#include <stdexcept>

#include "elubench/registry_rows.hpp"

namespace elubench {

std::string_view to_string(Device d) { return d == Device::cpu ? "cpu" : "gpu"; }
std::string_view to_string(Activation a) {
  switch (a) {
#define EB_NAME(id, Trait)                       \
  case Activation::id: return #id;               \
  case Activation::id##_backward: return #id "_backward";
    ELUBENCH_ACTIVATIONS(EB_NAME)
#undef EB_NAME
    case Activation::copy: return "copy";
  }
  throw std::logic_error("to_string: not an Activation");
}
// The enum name and the trait's name must agree (the JSON and the CLI use them).
#define EB_NAME_MATCHES(id, Trait) \
  static_assert(std::string_view(Trait::name) == #id, "activation_list.hpp: " #id " does not match its trait's name");
ELUBENCH_ACTIVATIONS(EB_NAME_MATCHES)
#undef EB_NAME_MATCHES

std::span<const Activation> all_activations() {
  static const std::vector<Activation> all = [] {
    std::vector<Activation> v;
    for (int i = 0; i <= static_cast<int>(Activation::copy); ++i) v.push_back(static_cast<Activation>(i));
    return v;
  }();
  return all;
}
bool is_backward(Activation a) {
  return a != Activation::copy && visit_activation(a, []<class T, Pass P>() { return P == Pass::backward; });
}
Activation forward_of(Activation a) { return is_backward(a) ? static_cast<Activation>(static_cast<int>(a) - 1) : a; }
std::span<const ParamSpec> param_specs(Activation a) {
  if (a == Activation::copy) return {};
  return visit_activation(a, []<class T, Pass>() { return trait_params<T>(); });
}
ActivationParams default_params(Activation a) {
  ActivationParams p;
  const auto specs = param_specs(a);
  for (std::size_t i = 0; i < specs.size(); ++i) p.value[i] = specs[i].default_value;
  return p;
}
std::span<const ParamSpec> all_param_specs() {
  static const std::vector<ParamSpec> all = [] {
    std::vector<ParamSpec> v;
    for (Activation a : all_activations())
      for (const ParamSpec& s : param_specs(a))
        if (std::none_of(v.begin(), v.end(), [&](const ParamSpec& t) { return std::string_view(t.name) == s.name; }))
          v.push_back(s);
    return v;
  }();
  return all;
}
std::string_view to_string(Accuracy a) {
  switch (a) {
    case Accuracy::exact: return "exact";
    case Accuracy::accurate: return "accurate";
    case Accuracy::approximate: return "approximate";
    case Accuracy::library: return "library";
  }
  return "?";
}
std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::kernel: return "kernel";
    case Kind::peer: return "peer";
    case Kind::ceiling: return "ceiling";
  }
  return "?";
}
std::optional<Device> parse_device(std::string_view s) {
  for (Device d : {Device::cpu, Device::gpu})
    if (to_string(d) == s) return d;
  return std::nullopt;
}
std::optional<Activation> parse_activation(std::string_view s) {
  for (Activation a : all_activations())
    if (to_string(a) == s) return a;
  return std::nullopt;
}

std::string variant_name(Device d, Activation a, std::string_view variant, Dtype t) {
  std::string s;
  s.append(to_string(d)).append("/").append(to_string(a)).append("/");
  s.append(variant).append("/").append(to_string(t));
  return s;
}

void check_bias_shape(const RunArgs& a, std::string_view variant) {
  if (a.cols == 0 || a.bias == nullptr || a.n % a.cols != 0)
    throw std::runtime_error(std::string(variant) + ": needs a bias of cols > 0 elements and n a multiple of cols (n=" +
                             std::to_string(a.n) + ", cols=" + std::to_string(a.cols) + ")");
}

void check_layer_args(const RunArgs& a, std::string_view variant) {
  const LayerShape& s = a.layer;
  const auto fail = [&](const char* why) {
    throw std::runtime_error(std::string(variant) + ": " + why + " (m=" + std::to_string(s.m) + ", k=" +
                             std::to_string(s.k) + ", n=" + std::to_string(s.n) + "; RunArgs n=" + std::to_string(a.n) +
                             ", cols=" + std::to_string(a.cols) + ")");
  };
  if (s.m == 0 || s.k == 0 || s.n == 0) fail("a layer needs m, k and n > 0");
  if (!a.x || !a.w || !a.bias || !a.y) fail("a layer needs x, w, bias and y");
  if (a.n != s.m * s.n || a.cols != s.n) fail("RunArgs n must be m * n and cols n");
}

std::string_view to_string(Epilogue e) {
  switch (e) {
    case Epilogue::none: return "none";
    case Epilogue::library: return "library";
    case Epilogue::separate_pass: return "separate_pass";
    case Epilogue::tiled: return "tiled";
  }
  return "?";
}

void Variant::check_args(const RunArgs& a) const {
  if (is_layer()) return check_layer_args(a, name);
  if (uses_bias) check_bias_shape(a, name);
  if (is_backward() && a.grad == nullptr && a.n > 0) throw std::runtime_error(name + ": a backward needs dy (RunArgs::grad)");
}

void Variant::run(const RunArgs& a) const {
  check_args(a);
  kernel(a);
}

std::size_t bytes_moved(const Variant& v, std::size_t n, std::size_t cols) {
  return n * v.bytes_per_element + (v.uses_bias ? cols * dtype_size(v.dtype) : 0);
}

namespace {
// The one table, checked (names match their parts and are unique across elementwise and layer
// rows), then split into its two views.
struct Registry {
  std::vector<Variant> elementwise, layers;
};
Registry build_registry() {
  std::vector<Variant> all;
  add_cpu_variants(all);
  add_gpu_variants(all);
  add_cpu_layer_variants(all);
  add_gpu_layer_variants(all);
  std::sort(all.begin(), all.end(), [](const Variant& a, const Variant& b) { return a.name < b.name; });
  Registry r;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].name != variant_name(all[i].device, all[i].activation, all[i].variant, all[i].dtype))
      throw std::logic_error("registry: name does not match its parts: " + all[i].name);
    if (i > 0 && all[i].name == all[i - 1].name)
      throw std::logic_error("registry: duplicate variant " + all[i].name);
    (all[i].is_layer() ? r.layers : r.elementwise).push_back(all[i]);
  }
  return r;
}
const Registry& registry() {
  static const Registry r = build_registry();
  return r;
}
const Variant* find_in(std::span<const Variant> vs, std::string_view name) {
  const auto it = std::lower_bound(vs.begin(), vs.end(), name,
                                   [](const Variant& v, std::string_view n) { return v.name < n; });
  return (it != vs.end() && it->name == name) ? &*it : nullptr;
}
}  // namespace

std::span<const Variant> all_variants() { return registry().elementwise; }
const Variant* find_variant(std::string_view name) { return find_in(all_variants(), name); }
std::span<const Variant> layer_variants() { return registry().layers; }
const Variant* find_layer_variant(std::string_view name) { return find_in(layer_variants(), name); }

const Variant* layer_ceiling_of(const Variant& v) {
  if (!v.is_layer()) return nullptr;
  for (const Variant& c : layer_variants())
    if (c.layer->epilogue == Epilogue::none && c.device == v.device && c.dtype == v.dtype &&
        c.layer->matmul == v.layer->matmul)
      return &c;
  return nullptr;
}

}  // namespace elubench

namespace elubench::rows {
void append(Device device, std::span<const Row> table, std::vector<Variant>& out) {
  for (const Row& r : table)
    out.push_back(Variant{variant_name(device, r.activation, r.variant, r.dtype), device, r.activation,
                          r.variant, r.dtype, r.kind, r.accuracy, r.uses_bias,
                          r.accesses * dtype_size(r.dtype), r.run, r.description});
}

Variant layer_row(Device device, Activation a, const char* variant, Dtype d, Kind kind, Accuracy accuracy, RunFn run,
                  std::string description, LayerMethod method) {
  Variant v{variant_name(device, a, variant, d), device, a, variant, d, kind, accuracy, false, 0, run,
            std::move(description)};
  v.layer = std::move(method);
  return v;
}

Accuracy ours_accuracy(Activation a) {
  if (a == Activation::copy) return Accuracy::exact;
  return visit_activation(a, []<class T, Pass>() { return T::accuracy == Accuracy::exact ? Accuracy::exact : Accuracy::accurate; });
}

namespace {
Accuracy row_accuracy(const Family& f, Activation a) {
  const Accuracy trait = visit_activation(a, []<class T, Pass P>() {
    return P == Pass::forward ? T::accuracy : T::backward_accuracy;
  });
  return f.accuracy != Accuracy::library && trait == Accuracy::exact ? Accuracy::exact : f.accuracy;
}
}  // namespace

void append(Device device, std::span<const Family> families, std::vector<Variant>& out) {
  for (const Family& f : families)
    for (Activation a : all_activations()) {
      if (a == Activation::copy) continue;
      for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16}) {
        const RunFn run = f.kernel(a, d);
        if (run == nullptr) continue;
        const std::size_t accesses = is_backward(a) ? 3 : 2;  // x (or dy and the saved tensor) in, y out
        std::string description = f.description;
        if (is_backward(a))
          description += visit_activation(a, []<class T, Pass>() {
            return T::saved == Saved::output ? "; dx = dy * f'(x) from dy and the saved output" : "; dx = dy * f'(x) from dy and x";
          });
        out.push_back(Variant{variant_name(device, a, f.variant, d), device, a, f.variant, d, f.kind,
                              row_accuracy(f, a), f.uses_bias, accesses * dtype_size(d), run, std::move(description),
                              f.passes});
      }
    }
}
}  // namespace elubench::rows
