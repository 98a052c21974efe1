// No nlohmann/json here: nvcc and its headers do not mix well, so this file only reads CCCL's.
#include <cub/version.cuh>
#include <string>

#include "results/cccl_version.hpp"

namespace elubench::bench {

std::string cccl_version() {
#if defined(CCCL_VERSION)
  constexpr int v = CCCL_VERSION;  // MMMmmmppp
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
#else
  constexpr int v = CUB_VERSION;  // MMMmmpp
  return std::to_string(v / 100000) + "." + std::to_string(v / 100 % 1000) + "." + std::to_string(v % 100);
#endif
}

}  // namespace elubench::bench
