// The driver/toolkit verdict (elubench::gpu::judge_driver), in plain C++ so that every build and
// its tests have it; the CUDA build asks the real driver in gpu_runtime.cu (check_driver).
#include <fstream>
#include <sstream>
#include <string>

#include "elubench/gpu.hpp"

namespace elubench::gpu {

int min_driver_release(int runtime_cuda) {
  // NVIDIA's minor-version compatibility table: a runtime of CUDA major M runs on any driver of
  // that family's minimum release or newer.
  const int major = runtime_cuda / 1000;
  if (major >= 13) return 580;
  if (major == 12) return 525;
  return 450;
}

std::string cuda_version_string(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

namespace {
std::string driver_words(int driver_cuda, const std::string& release) {
  if (driver_cuda == 0) return "NVIDIA driver: none found";
  return "NVIDIA driver " + (release.empty() ? std::string("(release unknown)") : release) + " (CUDA " +
         cuda_version_string(driver_cuda) + ")";
}

// Too old: what was found, what this build needs, and the ways out that apply to this driver.
std::string too_old_plan(int driver_cuda, int runtime_cuda, const std::string& release) {
  const int need = min_driver_release(runtime_cuda);
  std::ostringstream s;
  s << "the " << driver_words(driver_cuda, release) << " is older than this build: it links the CUDA "
    << cuda_version_string(runtime_cuda) << " runtime, which needs an NVIDIA driver >= " << need << ". Ways out: ";
  // A CUDA 12 build runs on any 12.x-family driver (>= 525) through minor-version compatibility.
  if (driver_cuda >= 12000)
    s << "(1) build from source with this node's CUDA 12 toolkit (12.4 or newer): "
         "PATH=/usr/local/cuda-12/bin:$PATH cmake --preset default && cmake --build --preset default -j && "
         "bash scripts/bundle.sh build/default (build dependencies: scripts/install_deps.sh; variants that need "
         "a newer CCCL are left out of that build, each with its reason); (2) ";
  else
    s << "a CUDA 12 build would need a driver >= 525 too; so ";
  s << "a driver >= " << need << ", or on a data-centre GPU NVIDIA's forward-compatibility package "
    << "(cuda-compat-" << runtime_cuda / 1000 << "-" << runtime_cuda % 1000 / 10 << ", then LD_LIBRARY_PATH=/usr/local/cuda-"
    << cuda_version_string(runtime_cuda) << "/compat).";
  return s.str();
}
}  // namespace

DriverCheck judge_driver(int driver_cuda, int runtime_cuda, const std::string& driver_release) {
  DriverCheck c;
  c.driver_cuda = driver_cuda;
  c.runtime_cuda = runtime_cuda;
  c.driver_release = driver_release;
  if (runtime_cuda == 0) {
    c.pair = driver_words(driver_cuda, driver_release) + " | this build: no CUDA";
    c.plan = "this elubench was built without CUDA";
    return c;
  }
  c.pair = driver_words(driver_cuda, driver_release) + " | this build: CUDA " + cuda_version_string(runtime_cuda) +
           " runtime, needs driver >= " + std::to_string(min_driver_release(runtime_cuda));
  if (driver_cuda == 0) {
    c.plan = "no NVIDIA driver found (cudaDriverGetVersion reports none)";
    return c;
  }
  // Same major family or newer: backward or minor-version compatibility.
  c.ok = driver_cuda / 1000 >= runtime_cuda / 1000;
  if (!c.ok) c.plan = too_old_plan(driver_cuda, runtime_cuda, driver_release);
  return c;
}

// "570.86.15" from the kernel module's version line; empty when it cannot be read.
std::string read_driver_release() {
  std::ifstream in("/proc/driver/nvidia/version");
  std::string line;
  if (!std::getline(in, line)) return "";
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.15  Thu Jan ..." : the first word
  // that starts with a digit and holds a dot.
  std::istringstream words(line);
  for (std::string w; words >> w;)
    if (!w.empty() && w[0] >= '0' && w[0] <= '9' && w.find('.') != std::string::npos) return w;
  return "";
}

}  // namespace elubench::gpu
