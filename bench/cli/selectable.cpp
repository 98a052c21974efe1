#include "cli/selectable.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace elubench::bench {

namespace {
std::vector<Variant>& test_variants() {
  static std::vector<Variant> v;
  return v;
}
bool& frozen() {
  static bool f = false;
  return f;
}
}  // namespace

void register_test_variant(Variant v) {
  if (frozen()) throw std::logic_error("register_test_variant after the variant list was built: " + v.name);
  test_variants().push_back(std::move(v));
}

std::span<const Variant> selectable_variants() {
  static const std::vector<Variant> all = [] {
    frozen() = true;
    const auto reg = all_variants();
    const auto layers = layer_variants();
    std::vector<Variant> out(reg.begin(), reg.end());
    out.insert(out.end(), layers.begin(), layers.end());
    for (const Variant& t : test_variants()) {
      if (find_variant(t.name) || find_layer_variant(t.name)) throw std::logic_error("test variant shadows a registered one: " + t.name);
      out.push_back(t);
    }
    return out;
  }();
  return all;
}

const Variant* find_selectable(std::string_view name) {
  const auto all = selectable_variants();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Variant& v) { return v.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace elubench::bench
