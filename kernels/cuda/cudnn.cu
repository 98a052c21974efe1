// gpu/*/cudnn (f32, f16): cudnnActivationForward, CUDNN_ACTIVATION_ELU with coef = alpha or
// CUDNN_ACTIVATION_RELU, on a packed 1x1x1xn tensor: what a framework calling cuDNN pays.
// Held to Accuracy::library (cuDNN's own formula, not documented to be expm1-exact).
// bf16 is absent: the legacy activation API documents FLOAT/DOUBLE/HALF only.
#include <cudnn.h>

#include <climits>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gpu_variants.cuh"
#include "launch.cuh"

#define CUDNN_CHECK(expr)                                                                              \
  do {                                                                                                 \
    const cudnnStatus_t eb_st_ = (expr);                                                               \
    if (eb_st_ != CUDNN_STATUS_SUCCESS)                                                                \
      throw std::runtime_error(std::string("cuDNN error: ") + #expr + " failed with " +               \
                               cudnnGetErrorString(eb_st_) + " at " + __FILE__ + ":" +                \
                               std::to_string(__LINE__));                                              \
  } while (0)

namespace elubench::gpu_variants {
using namespace elubench::cuda;

namespace {

// cudnnCreate costs milliseconds (it loads kernels and allocates), and descriptors cost
// microseconds: created inside run() they would be timed with every sample and swamp small
// sizes. So one handle per device and one tensor descriptor per (device, dtype, n) live for the
// process. They are never destroyed: at static destruction the CUDA context may already be
// gone, and cudnnDestroy would then fail or crash.
struct Cached {
  cudnnHandle_t handle = nullptr;
  cudnnTensorDescriptor_t tensor = nullptr;
  cudnnActivationDescriptor_t act = nullptr;
};

std::mutex g_mutex;

Cached& cached(int device, cudnnDataType_t type, std::size_t n) {
  static std::map<int, cudnnHandle_t> handles;
  static std::map<std::tuple<int, int, std::size_t>, Cached> entries;
  auto key = std::make_tuple(device, static_cast<int>(type), n);
  auto it = entries.find(key);
  if (it != entries.end()) return it->second;
  Cached c;
  auto h = handles.find(device);
  if (h == handles.end()) {
    cudnnHandle_t handle = nullptr;
    CUDNN_CHECK(cudnnCreate(&handle));
    h = handles.emplace(device, handle).first;
  }
  c.handle = h->second;
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&c.tensor));
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(c.tensor, CUDNN_TENSOR_NCHW, type, 1, 1, 1, static_cast<int>(n)));
  CUDNN_CHECK(cudnnCreateActivationDescriptor(&c.act));
  return entries.emplace(key, c).first->second;
}

}  // namespace

template <Activation A, Dtype D> void cudnn_activation(const RunArgs& r) {
  static_assert(D != Dtype::bf16);
  if (r.n == 0) return;
  if (r.n > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error("cudnn: n = " + std::to_string(r.n) + " exceeds cuDNN's int tensor dimension");
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  const cudnnDataType_t type = D == Dtype::f32 ? CUDNN_DATA_FLOAT : CUDNN_DATA_HALF;
  std::lock_guard<std::mutex> lock(g_mutex);  // the handle is not thread-safe; the map neither
  Cached& c = cached(device, type, r.n);
  // Setting the activation descriptor and the stream is a host-side field update: cheap.
  CUDNN_CHECK(cudnnSetActivationDescriptor(
      c.act, A == Activation::elu ? CUDNN_ACTIVATION_ELU : CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN,
      A == Activation::elu ? static_cast<double>(r.alpha) : 0.0));
  CUDNN_CHECK(cudnnSetStream(c.handle, stream_of(r)));
  const float one = 1.0f, zero = 0.0f;  // float scaling factors for FLOAT and HALF data
  CUDNN_CHECK(cudnnActivationForward(c.handle, c.act, &one, c.tensor, r.x, &zero, c.tensor, r.y));
}

EB_INSTANTIATE_ACT(cudnn_activation, Dtype::f32)
EB_INSTANTIATE_ACT(cudnn_activation, Dtype::f16)

}  // namespace elubench::gpu_variants
