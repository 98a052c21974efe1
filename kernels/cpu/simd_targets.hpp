// Internal to the CPU kernels: the SIMD-target pieces behind elubench/cpu.hpp's simd_targets(),
// kernel_for_target() and ELUBENCH_SIMD_TARGET.
#pragma once

#include <string_view>

#include "elubench/registry.hpp"

namespace elubench::cpu {

// Applies ELUBENCH_SIMD_TARGET once per process (before the first dispatch that should see it):
// Highway's dispatch then picks nothing better than that target. Throws std::invalid_argument
// for a name that is not one of simd_targets().
void apply_simd_target_env();

// Whether `name` is the name Highway gives one of its targets, on any CPU.
bool is_target_name(std::string_view name);

// Calls f() with Highway's dispatch pinned to `target` (one of simd_targets()), one pin at a time,
// and returns what it returns: what a CPU whose best target that is would dispatch to. Not safe
// against other threads dispatching meanwhile. Throws std::invalid_argument for another name.
void with_target(std::string_view target, void (*f)(void*), void* ctx);
template <class F>
auto with_target(std::string_view target, F&& f) {
  decltype(f()) out{};
  auto call = [&] { out = f(); };
  with_target(target, [](void* p) { (*static_cast<decltype(call)*>(p))(); }, &call);
  return out;
}

}  // namespace elubench::cpu
