// What the CCCL-based variants need from the toolkit's CCCL, decided at compile time, so that a
// build with an older toolkit leaves a variant out with its reason instead of failing to compile.
// CUDA 12.4 ships CCCL 2.3.2, 12.8 ships 2.7.0, 13.0 ships 3.0.1. Read from CCCL's headers and
// changelog (github.com/NVIDIA/cccl, tags v2.7.0 and v2.8.0):
//   - cub::DeviceTransform (cub/device/device_transform.cuh, with the one-input Transform
//     overload cub.cu calls) first ships in 2.8.0 (PR #2086; the file is absent from v2.7.0);
//   - cuda::proclaim_copyable_arguments (<cuda/functional>), and thrust::transform dispatching to
//     cub::DeviceTransform for a functor that proclaims it (PR #2389), first ship in 2.8.0.
// Without them cub has nothing to call, and thrust::transform takes its generic for_each path: a
// different algorithm under the same name, so that variant is left out too rather than measured as
// something else. Our own kernels and the cuDNN peer need no CCCL feature.
// Each flag can be forced from the command line (-DELUBENCH_CCCL_HAS_DEVICE_TRANSFORM=0), which is
// how tests/test_cccl_guards.cu compiles the left-out path with this toolkit.
#pragma once

#include <cub/version.cuh>  // CCCL_VERSION (CCCL >= 2.3), else CUB_VERSION

#include <string>

#if defined(CCCL_VERSION)
#define ELUBENCH_CCCL_VERSION_NUMBER CCCL_VERSION  // MMMmmmppp
#else
#define ELUBENCH_CCCL_VERSION_NUMBER (CUB_VERSION / 100000 * 1000000 + CUB_VERSION / 100 % 1000 * 1000 + CUB_VERSION % 100)
#endif

#ifndef ELUBENCH_CCCL_HAS_DEVICE_TRANSFORM
#define ELUBENCH_CCCL_HAS_DEVICE_TRANSFORM (ELUBENCH_CCCL_VERSION_NUMBER >= 2008000)
#endif
#ifndef ELUBENCH_CCCL_HAS_PROCLAIM_COPYABLE
#define ELUBENCH_CCCL_HAS_PROCLAIM_COPYABLE (ELUBENCH_CCCL_VERSION_NUMBER >= 2008000)
#endif

namespace elubench::cuda {

// "2.7.0": the CCCL this file was compiled against.
inline std::string cccl_version_of_build() {
  constexpr int v = ELUBENCH_CCCL_VERSION_NUMBER;
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
}

// Why a variant needing `feature` is absent from this build.
inline std::string left_out_for(const char* feature) {
  return std::string("needs ") + feature + "; this build's CCCL is " + cccl_version_of_build() +
         " (CUDA 13 ships 3.x; a CUDA 12 build can use a newer CCCL from github.com/NVIDIA/cccl)";
}

}  // namespace elubench::cuda
