// The variants one elubench run can select: the registry, plus test-only variants registered by
// a test build (bench/tools/planted.cpp is linked only into elubench_planted, never into elubench).
// Planted variants exist to prove that the bench refuses a wrong kernel; keeping them out of
// the registry keeps them out of --list, the tests over the registry and every results file.
#pragma once

#include <span>
#include <string_view>

#include "elubench/registry.hpp"

namespace elubench::bench {

// Registers a test-only variant. Call before main (a static initializer): the selectable list
// is frozen on its first use. Never called by the normal binary.
void register_test_variant(Variant v);

// all_variants(), then layer_variants(), then the test-only variants, built once; stable for the whole run
// (rows keep pointers into it).
std::span<const Variant> selectable_variants();
const Variant* find_selectable(std::string_view name);

// v as it runs on SIMD target `target` (cpu::variant_for_target), kept for the whole run: v itself
// for a variant without code per target (cpu::has_target_code) and for the target the dispatch
// picks. Throws UsageError for a target this CPU or build lacks.
const Variant& on_simd_target(const Variant& v, const std::string& target);

}  // namespace elubench::bench
