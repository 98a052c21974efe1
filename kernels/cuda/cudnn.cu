// gpu/*/cudnn (f32, f16): cudnnActivationForward in the mode the trait names (cudnn_mode: ELU with
// coef = alpha, RELU, SWISH with beta = 1 for SiLU), on packed NCHW tensors: what a framework
// calling cuDNN pays. Forward activations whose trait has a mode; the others have no rows.
// Held to Accuracy::library (cuDNN's own formula, not documented to be expm1-exact).
// bf16 is absent: the legacy activation API documents FLOAT/DOUBLE/HALF only.
// Any n that fits in memory: cuDNN's dimensions and strides are int, so n is not one W = n
// dimension (that stopped at 2^31 - 1) but folded into (1, 1, H, kFoldW) pieces of at most
// kMaxPiece elements, one call each, plus a (1, 1, 1, rest) call for n mod kFoldW.
// Status: cuDNN 9 keeps this legacy API (cudnn_ops, deprecated in favour of the graph API);
// that it still runs, and its results on this descriptor, are unverified without a GPU.
#include <cudnn.h>

#include <algorithm>
#include <climits>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

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

// A packed 4-d tensor (1, 1, h, w) per (device, dtype, h, w).
Cached& cached(int device, cudnnDataType_t type, int h, int w) {
  static std::map<int, cudnnHandle_t> handles;
  static std::map<std::tuple<int, int, int, int>, Cached> entries;
  auto key = std::make_tuple(device, static_cast<int>(type), h, w);
  auto it = entries.find(key);
  if (it != entries.end()) return it->second;
  Cached c;
  auto hd = handles.find(device);
  if (hd == handles.end()) {
    cudnnHandle_t handle = nullptr;
    CUDNN_CHECK(cudnnCreate(&handle));
    hd = handles.emplace(device, handle).first;
  }
  c.handle = hd->second;
  CUDNN_CHECK(cudnnCreateTensorDescriptor(&c.tensor));
  CUDNN_CHECK(cudnnSetTensor4dDescriptor(c.tensor, CUDNN_TENSOR_NCHW, type, 1, 1, h, w));
  CUDNN_CHECK(cudnnCreateActivationDescriptor(&c.act));
  return entries.emplace(key, c).first->second;
}

}  // namespace

// The traits' mode numbers are cuDNN's enum values (a typo there would run another function).
static_assert(Elu::cudnn_mode == CUDNN_ACTIVATION_ELU && Relu::cudnn_mode == CUDNN_ACTIVATION_RELU &&
              Silu::cudnn_mode == CUDNN_ACTIVATION_SWISH);

template <Dtype D> constexpr cudnnDataType_t cudnn_type() {
  if constexpr (D == Dtype::f32) return CUDNN_DATA_FLOAT;
  else if constexpr (D == Dtype::f16) return CUDNN_DATA_HALF;
  else static_assert(D == Dtype::f32, "cudnn: no bf16 in the legacy activation API");
}

template <Activation A, Dtype D> void cudnn_run(const RunArgs& r) {
  static_assert(cudnn_has<A, D>());
  using Trait = trait_t<A>;
  if (r.n == 0) return;
  int device = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  const cudnnDataType_t type = cudnn_type<D>();
  const std::size_t es = dtype_size(D);
  const auto mode = static_cast<cudnnActivationMode_t>(Trait::cudnn_mode);
  // coef is ELU's alpha (and the clip of CLIPPED_RELU); the other modes ignore it.
  const double coef = std::is_same_v<Trait, Elu> ? static_cast<double>(r.params[Elu::kAlpha]) : 0.0;
  std::lock_guard<std::mutex> lock(g_mutex);  // the handle is not thread-safe; the map neither
  std::size_t offset = 0;
  for (const auto& [h, w] : cudnn_fold(r.n)) {
    Cached& c = cached(device, type, h, w);
    // Setting the activation descriptor and the stream is a host-side field update: cheap.
    CUDNN_CHECK(cudnnSetActivationDescriptor(c.act, mode, CUDNN_PROPAGATE_NAN, coef));
    // SWISH is x * sigmoid(beta * x); SiLU is beta = 1 (set explicitly: the descriptor is
    // shared by the rows of every mode).
    if (mode == CUDNN_ACTIVATION_SWISH) CUDNN_CHECK(cudnnSetActivationDescriptorSwishBeta(c.act, 1.0));
    CUDNN_CHECK(cudnnSetStream(c.handle, cuda::stream_of(r)));
    const float one = 1.0f, zero = 0.0f;  // float scaling factors for FLOAT and HALF data
    const auto* x = static_cast<const unsigned char*>(r.x) + offset * es;
    auto* y = static_cast<unsigned char*>(r.y) + offset * es;
    CUDNN_CHECK(cudnnActivationForward(c.handle, c.act, &one, c.tensor, x, &zero, c.tensor, y));
    offset += static_cast<std::size_t>(h) * static_cast<std::size_t>(w);
  }
}

RunFn cudnn_direct(Activation a, Dtype d) {
  return cuda::dispatch(a, d, []<class P>(P) -> RunFn {
    constexpr Activation A = P::activation;
    constexpr Dtype D = P::dtype;
    if constexpr (cudnn_has<A, D>()) return &cudnn_run<A, D>;
    else return nullptr;
  });
}

}  // namespace elubench::gpu_variants
