// ELUBENCH_SIMD_TARGET caps a whole process at one SIMD target (CTest runs this binary with it
// set): the target reported, the kernels the registry dispatches to and their descriptions all
// follow it, and a name that is not a target of this build and CPU is refused when the registry
// is built.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "elubench/cpu.hpp"
#include "elubench/registry.hpp"

using namespace elubench;

TEST(SimdTargetEnv, CapsTheWholeProcess) {
  const char* want = std::getenv("ELUBENCH_SIMD_TARGET");
  ASSERT_NE(want, nullptr) << "run by CTest with ELUBENCH_SIMD_TARGET set";
  if (std::string(want) == "NOT_A_TARGET") {
    EXPECT_THROW(all_variants(), std::invalid_argument);
    return;
  }
  EXPECT_EQ(cpu::simd_target(), want);
  for (const char* name : {"cpu/elu/vectorized/f32", "cpu/elu/fast/bf16", "cpu/relu/fused_bias/f16"}) {
    const Variant* v = find_variant(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(v->kernel, cpu::kernel_for_target(*v, want)) << name << " dispatched to another target";
  }
  EXPECT_NE(find_variant("cpu/elu/vectorized/f32")->description.find(std::string(" on ") + want), std::string::npos);
}
