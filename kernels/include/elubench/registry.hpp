// The registry: the single list of every variant elubench knows. Bench registration, `--list`,
// the tests and the JSON labels all come from here. A variant that does not make sense for a
// dtype (or whose library was not found at configure time) is absent, never a stub.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "elubench/activation_list.hpp"
#include "elubench/dtypes.hpp"

namespace elubench {

enum class Device { cpu, gpu };
// Every activation of activation_list.hpp and its backward (dx = dy * f'), then copy (the
// ceiling, no math: the copies of the elementwise rows, and the identity epilogue of the layer
// ceiling, matmul + bias). Names: "elu", "elu_backward", ..., "copy".
enum class Activation {
#define EB_ACTIVATION_ENUM(id, Trait) id, id##_backward,
  ELUBENCH_ACTIVATIONS(EB_ACTIVATION_ENUM)
#undef EB_ACTIVATION_ENUM
  copy
};
enum class Pass { forward, backward };
// Ours, a library peer to compare against, or a bandwidth ceiling.
enum class Kind { kernel, peer, ceiling };

std::string_view to_string(Device d);
std::string_view to_string(Activation a);
std::string_view to_string(Accuracy a);
std::string_view to_string(Kind k);
std::optional<Device> parse_device(std::string_view s);
std::optional<Activation> parse_activation(std::string_view s);
// Every activation, forward and backward, in enum order (copy last).
std::span<const Activation> all_activations();
bool is_backward(Activation a);
Activation forward_of(Activation a);  // elu_backward -> elu; copy -> copy
// The parameters an activation declares (its trait's `params`; a backward has its forward's,
// copy none), and their default values.
std::span<const ParamSpec> param_specs(Activation a);
ActivationParams default_params(Activation a);
// Every parameter name some activation declares, once each, in activation_list order: what the
// results' config records and what --param may name.
std::span<const ParamSpec> all_param_specs();

// The trait of each activation (activations/*.hpp) at compile time, and calls of F with it.
template <Activation A> struct TraitOf;
#define EB_TRAIT_OF(id, Trait)                                                    \
  template <> struct TraitOf<Activation::id> { using type = Trait; };              \
  template <> struct TraitOf<Activation::id##_backward> { using type = Trait; };
ELUBENCH_ACTIVATIONS(EB_TRAIT_OF)
#undef EB_TRAIT_OF
template <Activation A> using trait_t = typename TraitOf<A>::type;
// A trait's `params` as a span (empty where it declares none).
template <class T> constexpr std::span<const ParamSpec> trait_params() {
  if constexpr (requires { T::params; }) {
    static_assert(std::size(T::params) <= kMaxParams, "raise kMaxParams (activations.hpp)");
    return T::params;
  } else {
    return {};
  }
}
template <Activation A> inline constexpr Pass pass_of = Pass(static_cast<int>(A) % 2);
// Calls f.template operator()<Trait, Pass>() for the trait and pass of a (not copy); what it returns.
template <class F> decltype(auto) visit_activation(Activation a, F&& f) {
  switch (a) {
#define EB_VISIT(id, Trait)                                                                        \
  case Activation::id: return f.template operator()<Trait, Pass::forward>();                      \
  case Activation::id##_backward: return f.template operator()<Trait, Pass::backward>();
    ELUBENCH_ACTIVATIONS(EB_VISIT)
#undef EB_VISIT
    case Activation::copy: break;
  }
  throw std::logic_error("visit_activation: copy has no trait");
}

// A layer call's shape: y = act(x . w + bias) with x of m x k, w of k x n, bias of n and y of
// m x n elements, all row-major and dense (elubench/layer.hpp has what is computed from it).
struct LayerShape {
  std::size_t m = 0, k = 0, n = 0;
  bool operator==(const LayerShape&) const = default;
};

// Everything one call needs. Pointers are host pointers for CPU variants and device
// pointers for GPU variants; x and y hold n elements of the variant's dtype and may have
// any alignment (an offset by one element is a tested case).
struct RunArgs {
  const void* x = nullptr;  // forward: the input; backward: the saved input or output (trait's `saved`)
  void* y = nullptr;        // forward: the output; backward: dx
  const void* grad = nullptr;  // backward: dy, n elements
  std::size_t n = 0;
  ActivationParams params;
  // Bias variants: x is rows x cols row-major (n = rows * cols), bias holds cols elements.
  const void* bias = nullptr;
  std::size_t cols = 0;
  int threads = 1;          // CPU variants: worker threads (1 = the calling thread only)
  void* stream = nullptr;   // GPU variants: the cudaStream_t to launch on (nullptr = default)
  // Layer variants (Variant::layer): x is layer.m x layer.k, w is layer.k x layer.n, bias holds
  // layer.n elements, y is layer.m x layer.n. As for the bias variants, n is y's element count
  // (layer.m * layer.n) and cols the bias length (layer.n): check_layer_args holds them to it.
  const void* w = nullptr;
  LayerShape layer;
  // Nonzero: an id the caller changes whenever the contents of w or bias change. A library that
  // repacks the weights (oneDNN's blocked layout, XNNPACK's operator) then packs them once per
  // (w, bias, weights_version) and reuses the packed copy, as a framework does for a layer's
  // constant weights. 0: nothing is kept between calls (packed in every call where the library
  // needs it, or read in place).
  std::uint64_t weights_version = 0;
};

// The bias variants' contract on RunArgs (x is rows x cols, bias holds cols > 0 elements, n a
// multiple of cols), checked by every bias variant, CPU and GPU: throws std::runtime_error
// naming `variant` and the shape when it does not hold.
void check_bias_shape(const RunArgs& a, std::string_view variant);

// The layer variants' contract on RunArgs: layer.m, layer.k, layer.n > 0; x, w, bias and y set;
// n == layer.m * layer.n and cols == layer.n. Throws std::runtime_error naming `variant`.
void check_layer_args(const RunArgs& a, std::string_view variant);

// Thrown by a variant whose library cannot be loaded on this machine (cuDNN absent at run
// time): the row is skipped with this reason, not failed.
struct VariantUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How a layer row (matmul + bias + activation) computes its epilogue, the activation after the
// matmul: not at all (the ceiling: matmul + bias), fused by the library into its matmul, as a
// separate pass over y after the library's matmul + bias, or fused by tiling (ours: the matmul
// on blocks of y that fit in cache, each block's activation while it is still there).
enum class Epilogue { none, library, separate_pass, tiled };
std::string_view to_string(Epilogue e);
struct LayerMethod {
  std::string matmul;  // the library whose matmul runs ("onednn", "xnnpack", "cublaslt")
  Epilogue epilogue;
};

// Runs the variant; throws std::runtime_error (with the failing call named) on any error.
// GPU variants are asynchronous on args.stream like any CUDA launch.
using RunFn = void (*)(const RunArgs&);

struct Variant {
  std::string name;  // device/activation/variant/dtype, e.g. "gpu/elu/vectorized/f16"
  Device device;
  Activation activation;
  std::string variant;
  Dtype dtype;
  Kind kind;
  Accuracy accuracy;
  bool uses_bias;
  // Global-memory bytes the operation must move per element of x, whatever the variant does:
  // 2 * size for a read and a write; 3 * size for a backward (dy and the saved tensor read, dx
  // written). The bias row itself is added by bytes_moved(). GB/s is this over the time (the
  // effective bandwidth, as nvbench counts it), so a variant that moves more than it must, like
  // bias_then_act's second pass over y, shows its cost as a lower GB/s, and no variant can beat
  // the copy ceiling by moving some of its bytes through the cache twice.
  std::size_t bytes_per_element;
  RunFn kernel;  // the family's function; call run(), which checks the arguments first
  std::string description;
  // Passes over memory as implemented: 2 for bias_then_act (y = x + b stored in the dtype, then
  // activated in place), which also makes the stored sum part of the operation's rounding.
  int passes = 1;
  // Layer rows only: y = act(x . w + bias), RunArgs's layer fields, bytes_per_element 0 (their
  // work is layer_flops and layer_bytes of elubench/layer.hpp). Elementwise rows: empty.
  std::optional<LayerMethod> layer = std::nullopt;
  // Runs the variant after check_args. Throws std::runtime_error.
  void run(const RunArgs& a) const;
  // What its kind needs, checked once here for every family: the bias shape (check_bias_shape)
  // for a bias variant, dy for a backward, the layer fields for a layer (check_layer_args).
  // Throws std::runtime_error naming the variant.
  void check_args(const RunArgs& a) const;
  std::span<const ParamSpec> params() const { return param_specs(activation); }
  bool is_backward() const { return elubench::is_backward(activation); }
  bool is_layer() const { return layer.has_value(); }
};

// Builds the full name from its parts.
std::string variant_name(Device d, Activation a, std::string_view variant, Dtype t);

// Bytes one call moves for n elements (cols: bias length for bias variants).
std::size_t bytes_moved(const Variant& v, std::size_t n, std::size_t cols);

// The registry is one table of every row, elementwise and layer, names unique across both,
// seen through two views sorted by name. CPU variants always; GPU variants when CUDA was built
// (whether a GPU is present is a run-time question: see gpu.hpp).
// The elementwise rows (n elements, optionally a bias row): every row that is not a layer.
std::span<const Variant> all_variants();
const Variant* find_variant(std::string_view name);
// The layer rows (is_layer()): matmul + bias + activation, RunArgs's layer fields.
std::span<const Variant> layer_variants();
const Variant* find_layer_variant(std::string_view name);
// The ceiling of layer row v: the row of the same device, dtype and matmul library whose
// epilogue is none (the matmul with bias and no activation), or nullptr where there is none.
const Variant* layer_ceiling_of(const Variant& v);

// Provided by kernels/cpu/registry_cpu.cpp and kernels/cuda/registry_gpu.cu (or its
// no-CUDA stand-in, which returns nothing): the two halves of the one registry. The layer rows
// come from kernels/cpu/layer_*.cpp and kernels/cuda/layer_cublaslt.cpp.
void add_cpu_variants(std::vector<Variant>& out);
void add_gpu_variants(std::vector<Variant>& out);
void add_cpu_layer_variants(std::vector<Variant>& out);
void add_gpu_layer_variants(std::vector<Variant>& out);

}  // namespace elubench
