// Stand-in for the CUDA half of the library when nvcc was not found or CUDA was disabled:
// no GPU variants in the registry, and every GPU query says why.
#include <stdexcept>

#include "elubench/gpu.hpp"
#include "elubench/registry.hpp"

namespace elubench {

void add_gpu_variants(std::vector<Variant>&) {}
void add_gpu_layer_variants(std::vector<Variant>&) {}

namespace gpu {
namespace {
[[noreturn]] void unavailable() { throw std::runtime_error("elubench was built without CUDA"); }
}  // namespace

bool cuda_built() { return false; }
std::vector<std::string> left_out_variants() { return {}; }
DriverCheck check_driver() { return judge_driver(0, 0, read_driver_release()); }
int device_count(std::string* reason) {
  if (reason) *reason = "built without CUDA (nvcc not found or ELUBENCH_ENABLE_CUDA=OFF)";
  return 0;
}
Info info(int) { unavailable(); }
void set_device(int) { unavailable(); }
void* alloc(std::size_t) { unavailable(); }
void free(void*) noexcept {}
void copy_to_device(void*, const void*, std::size_t) { unavailable(); }
void copy_to_host(void*, const void*, std::size_t) { unavailable(); }
void memset(void*, int, std::size_t) { unavailable(); }
void synchronize() { unavailable(); }
std::size_t free_memory() { return 0; }
}  // namespace gpu
}  // namespace elubench
