// The CCCL feature guards forced off, as a CUDA 12.4-12.8 toolkit (CCCL 2.3-2.7) has them: this
// one translation unit compiles the two CCCL-based kernel files (cub.cu, thrust.cu) with the
// guards off, so the left-out path compiles with this toolkit too, and checks that every lookup
// is then empty and that each says why. (With the guards off the files include no CUB or Thrust
// header: the TU stays small.)
#define ELUBENCH_CCCL_HAS_DEVICE_TRANSFORM 0
#define ELUBENCH_CCCL_HAS_PROCLAIM_COPYABLE 0
#include "cub.cu"
#include "thrust.cu"

#include <gtest/gtest.h>

using namespace elubench;

TEST(CcclGuards, OffLeavesCubAndThrustOutWithTheirReason) {
  for (int i = 0; i <= static_cast<int>(Activation::copy); ++i)  // every activation, with no library linked
    for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16}) {
      const auto a = static_cast<Activation>(i);
      EXPECT_EQ(gpu_variants::cub_transform(a, d), nullptr) << i;
      EXPECT_EQ(gpu_variants::thrust_transform(a, d), nullptr) << i;
    }
  const std::string cub = gpu_variants::cub_transform_left_out(), thrust = gpu_variants::thrust_transform_left_out();
  EXPECT_NE(cub.find("cub::DeviceTransform (CCCL >= 2.8)"), std::string::npos) << cub;
  EXPECT_NE(thrust.find("proclaim_copyable_arguments"), std::string::npos) << thrust;
  EXPECT_NE(cub.find("this build's CCCL is " + cuda::cccl_version_of_build()), std::string::npos) << cub;
}
