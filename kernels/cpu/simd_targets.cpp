// The SIMD targets of the Highway variants: which ones this build and CPU have, pinning one for a
// lookup (kernel_for_target), and ELUBENCH_SIMD_TARGET, which caps the whole process at one.
#include "simd_targets.hpp"

#include <hwy/targets.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

#include "elubench/cpu.hpp"

namespace elubench::cpu {

namespace {
// hwy::SupportedTargets(), after which the dispatch picks from what it returns: Highway 1.0.3's
// detection leaves the dispatch set to every target the CPU has, DisableTargets or not (then an
// ELUBENCH_SIMD_TARGET cap read before the first dispatch would not hold).
std::int64_t supported() {
  const std::int64_t targets = hwy::SupportedTargets();
  hwy::GetChosenTarget().Update(targets);
  return targets;
}

// The targets compiled in and supported by this CPU, best first.
std::vector<std::int64_t> usable_targets() {
  std::vector<std::int64_t> out;
  for (std::int64_t t = supported() & HWY_TARGETS; t != 0; t &= t - 1) out.push_back(t & -t);
  return out;
}

std::int64_t parse_target(std::string_view name) {
  for (std::int64_t t : usable_targets())
    if (name == hwy::TargetName(t)) return t;
  std::string have;  // (not simd_targets(): this runs inside apply_simd_target_env's call_once)
  for (std::int64_t t : usable_targets()) have += (have.empty() ? "" : ", ") + std::string(hwy::TargetName(t));
  throw std::invalid_argument("SIMD target '" + std::string(name) + "' is not one this build and CPU have (" +
                              have + ")");
}
}  // namespace

bool is_target_name(std::string_view name) {
  for (int bit = 0; bit < 63; ++bit)
    if (name == hwy::TargetName(std::int64_t{1} << bit)) return true;
  return false;
}

void apply_simd_target_env() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* name = std::getenv("ELUBENCH_SIMD_TARGET");
    if (name == nullptr || *name == '\0') return;
    // Every target better than the one named: a lower bit in Highway's order.
    hwy::DisableTargets(parse_target(name) - 1);
    supported();
  });
}

std::vector<std::string> simd_targets() {
  apply_simd_target_env();
  std::vector<std::string> out;
  for (std::int64_t t : usable_targets()) out.emplace_back(hwy::TargetName(t));
  return out;
}

std::string simd_target() {
  apply_simd_target_env();
  // The best target that is both compiled in and supported here: what HWY_DYNAMIC_DISPATCH uses.
  const std::int64_t usable = supported() & HWY_TARGETS;
  return hwy::TargetName(usable & -usable);  // lowest bit = best target in Highway's ordering
}

void with_target(std::string_view target, void (*f)(void*), void* ctx) {
  static std::mutex mu;
  const std::int64_t bit = parse_target(target);
  std::lock_guard<std::mutex> lock(mu);
  hwy::SetSupportedTargetsForTest(bit);
  const auto restore = [] {
    hwy::SetSupportedTargetsForTest(0);  // back to the CPU's targets (and the ELUBENCH_SIMD_TARGET cap)
    supported();
  };
  try {
    f(ctx);
  } catch (...) {
    restore();
    throw;
  }
  restore();
}

}  // namespace elubench::cpu
