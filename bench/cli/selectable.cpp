#include "cli/selectable.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cli/options.hpp"
#include "elubench/cpu.hpp"

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

const Variant& on_simd_target(const Variant& v, const std::string& target) {
  if (!cpu::has_target_code(v) || target == cpu::simd_target()) return v;
  static std::mutex mu;
  static std::map<std::pair<std::string, std::string>, const Variant*> made;
  static std::deque<Variant> storage;  // a deque keeps every element where it is: rows point into it
  const std::lock_guard<std::mutex> lock(mu);
  const auto [it, fresh] = made.try_emplace({v.name, target}, nullptr);
  if (fresh) {
    try {
      it->second = &storage.emplace_back(cpu::variant_for_target(v, target));
    } catch (const std::invalid_argument& e) {
      made.erase(it);
      throw UsageError(v.name + " on " + target + ": " + e.what());
    }
  }
  return *it->second;
}

}  // namespace elubench::bench
