// gpu/*/cudnn as the registry sees it: a forwarder that loads libelubench_cudnn.so (cudnn.cu
// and libcudnn behind it) on first use. cuDNN is about 500 MB and lives on the GPU node (the
// system's libraries, LD_LIBRARY_PATH, or the nvidia-cudnn wheel of an installed PyTorch, which
// the bundle's launcher adds), not in the bundle: where it is missing, dlopen fails and the
// cudnn rows are skipped with dlopen's reason instead of the binary failing to start.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <string>
#include <vector>

#include "dispatch.hpp"
#include "gpu_variants.cuh"

namespace elubench::gpu_variants {

namespace {

struct Plugin {
  RunFn (*fn)(int act, int dtype) = nullptr;
  std::string error;
};

std::string exe_dir() {
  char buf[PATH_MAX] = {};
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<std::size_t>(n));
  return p.substr(0, p.rfind('/'));
}

Plugin load() {
  static constexpr const char* kName = "libelubench_cudnn.so";
  // The bundle keeps it in lib/ beside bin/; a build tree, where CMake put it.
  std::vector<std::string> paths = {exe_dir() + "/../lib/" + kName, exe_dir() + "/" + kName};
#ifdef ELUBENCH_CUDNN_PLUGIN
  paths.push_back(ELUBENCH_CUDNN_PLUGIN);
#endif
  Plugin p;
  for (const std::string& path : paths) {
    if (::access(path.c_str(), R_OK) != 0) continue;
    void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {  // the plugin is there: what is missing is libcudnn (or one of its parts)
      const char* e = ::dlerror();
      p.error = e ? e : "dlopen failed";
      return p;
    }
    p.fn = reinterpret_cast<RunFn (*)(int, int)>(::dlsym(lib, "elubench_cudnn_fn"));
    if (!p.fn) p.error = path + " lacks elubench_cudnn_fn";
    return p;
  }
  p.error = std::string(kName) + " is neither in " + exe_dir() + "/../lib nor next to the binary";
  return p;
}

}  // namespace

template <Activation A, Dtype D> void forward_to_plugin(const RunArgs& r) {
  static const Plugin plugin = load();  // thread-safe once
  const RunFn fn = plugin.fn ? plugin.fn(static_cast<int>(A), static_cast<int>(D)) : nullptr;
  if (!fn)
    throw VariantUnavailable("cuDNN not available: " + (plugin.error.empty() ? "no entry for this row" : plugin.error) +
                             " (looked for libcudnn.so.9 in LD_LIBRARY_PATH and the system's libraries; the bundle's"
                             " launcher also adds PyTorch's nvidia-cudnn wheel)");
  fn(r);
}

// The rows exist whenever cuDNN was found at configure time; whether it loads is a run-time answer.
RunFn cudnn_activation(Activation a, Dtype d) {
  return cuda::dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (cudnn_has<A, D>()) return &forward_to_plugin<A, D>;
    else return nullptr;
  });
}

}  // namespace elubench::gpu_variants
