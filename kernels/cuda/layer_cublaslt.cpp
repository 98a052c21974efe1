// gpu/<activation>/layer_cublaslt*/<dtype>: y = act(x . w + bias) on cuBLASLt's matmul, four ways.
//  copy/layer_cublaslt           the ceiling: CUBLASLT_EPILOGUE_BIAS, no activation.
//  relu, gelu_tanh/layer_cublaslt_epilogue
//                                the activation in cuBLASLt's epilogue (RELU_BIAS, GELU_BIAS; its
//                                GELU is the tanh form: PyTorch's _addmm_activation says so and
//                                uses it as gelu(approximate="tanh")). No ELU, SiLU, SELU, Leaky
//                                ReLU or erf-GELU epilogue exists.
//  layer_cublaslt_vectorized     BIAS, then our vectorized activation kernel over y: two passes.
//  layer_cublaslt_tiled          ours, fused by tiling: blocks of whole rows of y whose output fits
//                                half the L2 (gpu_layer::gpu_plan), each block's BIAS matmul then
//                                our activation kernel on it, back to back on the stream, so that
//                                the activation reads the block from L2.
// f32, f16 and bf16, all with CUBLAS_COMPUTE_32F: f32 in full FP32 (never TF32: that is
// CUBLAS_COMPUTE_32F_FAST_TF32), 16-bit inputs with f32 accumulation, as the layer bound assumes.
// cuBLASLt (about 500 MB) is not linked: it is loaded on first use from libcublasLt.so.<major of
// this toolkit> wherever the dynamic loader finds it (LD_LIBRARY_PATH, the system's libraries);
// where it is missing the rows are skipped with dlopen's reason (VariantUnavailable).
// Status: the cuBLASLt calls have never run (no GPU here); the orders of layer_steps.hpp run on
// the host with a host matmul and our activation's body (tests/test_gpu_layer_steps.cu).
#include <cublasLt.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "cuda_check.cuh"
#include "elubench/registry_rows.hpp"
#include "gpu_variants.cuh"
#include "layer_steps.hpp"

namespace elubench::gpu_variants {

namespace {

// The cuBLASLt entry points the rows call, from the library loaded at run time.
struct Api {
  std::string error;  // why it could not be loaded; empty when it was
  decltype(&cublasLtCreate) create = nullptr;
  decltype(&cublasLtGetStatusString) status_string = nullptr;
  decltype(&cublasLtMatmulDescCreate) desc_create = nullptr;
  decltype(&cublasLtMatmulDescSetAttribute) desc_set = nullptr;
  decltype(&cublasLtMatrixLayoutCreate) layout_create = nullptr;
  decltype(&cublasLtMatmulPreferenceCreate) pref_create = nullptr;
  decltype(&cublasLtMatmulPreferenceSetAttribute) pref_set = nullptr;
  decltype(&cublasLtMatmulPreferenceDestroy) pref_destroy = nullptr;
  decltype(&cublasLtMatmulAlgoGetHeuristic) heuristic = nullptr;
  decltype(&cublasLtMatmul) matmul = nullptr;
};

template <class F> bool bind(void* lib, const char* name, F& f, std::string& error) {
  f = reinterpret_cast<F>(::dlsym(lib, name));
  if (!f && error.empty()) error = std::string("libcublasLt lacks ") + name;
  return f != nullptr;
}

Api load() {
  Api api;
  const std::string name = "libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR);
  void* lib = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = ::dlerror();
    api.error = e ? e : "dlopen(" + name + ") failed";
    return api;
  }
  std::string& e = api.error;
  bind(lib, "cublasLtCreate", api.create, e) && bind(lib, "cublasLtGetStatusString", api.status_string, e) &&
      bind(lib, "cublasLtMatmulDescCreate", api.desc_create, e) &&
      bind(lib, "cublasLtMatmulDescSetAttribute", api.desc_set, e) &&
      bind(lib, "cublasLtMatrixLayoutCreate", api.layout_create, e) &&
      bind(lib, "cublasLtMatmulPreferenceCreate", api.pref_create, e) &&
      bind(lib, "cublasLtMatmulPreferenceSetAttribute", api.pref_set, e) &&
      bind(lib, "cublasLtMatmulPreferenceDestroy", api.pref_destroy, e) &&
      bind(lib, "cublasLtMatmulAlgoGetHeuristic", api.heuristic, e) && bind(lib, "cublasLtMatmul", api.matmul, e);
  return api;
}

const Api& api() {
  static const Api a = load();  // thread-safe once
  if (!a.error.empty())
    throw VariantUnavailable("cuBLASLt not available: " + a.error + " (looked for libcublasLt.so." +
                             std::to_string(CUBLAS_VER_MAJOR) + " in LD_LIBRARY_PATH and the system's libraries)");
  return a;
}

void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLASLt: ") + what + " failed: " + api().status_string(s));
}

cudaDataType_t cuda_type(Dtype d) {
  switch (d) {
    case Dtype::f32: return CUDA_R_32F;
    case Dtype::f16: return CUDA_R_16F;
    case Dtype::bf16: return CUDA_R_16BF;
  }
  throw std::logic_error("cublaslt: not a Dtype");
}

// The largest power of two (at most 256) that divides p's address: the alignment the heuristic
// may assume for that operand.
std::uint32_t alignment_of(const void* p) {
  const auto u = reinterpret_cast<std::uintptr_t>(p);
  std::uint32_t a = 256;
  while (a > 1 && u % a != 0) a /= 2;
  return a;
}

// One matmul shape: its descriptors and the algorithm the heuristic chose, made once.
struct Plan {
  cublasLtMatmulDesc_t desc;
  cublasLtMatrixLayout_t a, b, c;
  cublasLtMatmulAlgo_t algo;
};
using PlanKey = std::tuple<int, int, int, std::size_t, std::size_t, std::size_t, std::uint32_t, std::uint32_t,
                           std::uint32_t, std::uint32_t>;

struct PerDevice {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::map<PlanKey, Plan> plans;
};
constexpr std::size_t kWorkspace = std::size_t{32} << 20;  // cuBLASLt's advice for Hopper

// cuBLASLt's state, for the process: a handle and a workspace per device, and one Plan per
// (device, dtype, epilogue, shape, operand alignments). Handles, plans and workspaces are never
// freed: at static destruction the CUDA context may already be gone (as for cuDNN).
class Cublaslt {
 public:
  static Cublaslt& get() {
    static Cublaslt c;
    return c;
  }

  // y = epilogue(x . w + bias) for layer (or block) b, on its stream. In cuBLASLt's column-major
  // terms: D (n x m, ld n) = A (n x k, ld n: w as stored) . B (k x m, ld k: x as stored) + bias,
  // the bias broadcast along D's columns, i.e. over y's rows.
  void matmul(const RunArgs& b, Dtype d, cublasLtEpilogue_t epilogue) {
    const Api& lt = api();
    std::lock_guard<std::mutex> lock(mu_);
    int device = 0;
    CUDA_CHECK(cudaGetDevice(&device));
    PerDevice& dev = per_device(device);
    const Plan& p = plan(dev, d, epilogue, b, device);
    const void* bias = b.bias;
    check(lt.desc_set(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias), "set BIAS_POINTER");
    const float one = 1.0f, zero = 0.0f;  // CUBLAS_COMPUTE_32F scales are float
    check(lt.matmul(dev.handle, p.desc, &one, b.w, p.a, b.x, p.b, &zero, b.y, p.c, b.y, p.c, &p.algo, dev.workspace,
                    kWorkspace, static_cast<cudaStream_t>(b.stream)),
          "cublasLtMatmul");
  }

 private:
  PerDevice& per_device(int device) {
    PerDevice& dev = devices_[device];
    if (!dev.handle) {
      check(api().create(&dev.handle), "cublasLtCreate");
      CUDA_CHECK(cudaMalloc(&dev.workspace, kWorkspace));
    }
    return dev;
  }

  const Plan& plan(PerDevice& dev, Dtype d, cublasLtEpilogue_t epilogue, const RunArgs& b, int device) {
    const std::uint32_t aw = alignment_of(b.w), ax = alignment_of(b.x), ay = alignment_of(b.y),
                        ab = alignment_of(b.bias);
    const PlanKey key{device, static_cast<int>(d), static_cast<int>(epilogue), b.layer.m, b.layer.k, b.layer.n,
                      aw, ax, ay, ab};
    if (auto it = dev.plans.find(key); it != dev.plans.end()) return it->second;
    const Api& lt = api();
    const cudaDataType_t t = cuda_type(d);
    Plan p{};
    check(lt.desc_create(&p.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
    check(lt.desc_set(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue), "set EPILOGUE");
    const auto n = b.layer.n, k = b.layer.k, m = b.layer.m;
    check(lt.layout_create(&p.a, t, n, k, static_cast<std::int64_t>(n)), "layout of w");
    check(lt.layout_create(&p.b, t, k, m, static_cast<std::int64_t>(k)), "layout of x");
    check(lt.layout_create(&p.c, t, n, m, static_cast<std::int64_t>(n)), "layout of y");
    p.algo = heuristic(dev, p, {aw, ax, ay, ab}, d, epilogue, b.layer);
    return dev.plans.emplace(key, p).first->second;
  }

  cublasLtMatmulAlgo_t heuristic(PerDevice& dev, const Plan& p, const std::uint32_t (&align)[4], Dtype d,
                                 cublasLtEpilogue_t epilogue, const LayerShape& s) {
    const Api& lt = api();
    cublasLtMatmulPreference_t pref = nullptr;
    check(lt.pref_create(&pref), "cublasLtMatmulPreferenceCreate");
    const std::uint64_t ws = kWorkspace;
    check(lt.pref_set(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws), "set MAX_WORKSPACE_BYTES");
    const cublasLtMatmulPreferenceAttributes_t attrs[3] = {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                                                            CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                                                            CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
    for (int i = 0; i < 3; ++i) check(lt.pref_set(pref, attrs[i], &align[i], sizeof align[i]), "set MIN_ALIGNMENT");
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    const cublasStatus_t st = lt.heuristic(dev.handle, p.desc, p.a, p.b, p.c, p.c, pref, 1, &result, &found);
    lt.pref_destroy(pref);
    if (st != CUBLAS_STATUS_SUCCESS || found == 0)
      throw VariantUnavailable("cuBLASLt has no algorithm for a " + std::string(to_string(d)) + " " + to_string(s) +
                               " matmul with epilogue " + std::to_string(static_cast<int>(epilogue)) + " (" +
                               lt.status_string(st) + ")");
    (void)align[3];  // the bias's alignment is part of the key: cuBLASLt has no preference for it
    return result.algo;
  }

  std::mutex mu_;
  std::map<int, PerDevice> devices_;
};

std::size_t l2_bytes() {
  int device = 0, bytes = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&bytes, cudaDevAttrL2CacheSize, device));
  return static_cast<std::size_t>(bytes);
}

// The activation of a block of y in place: our vectorized kernel, launched on the block's stream.
template <Activation A, Dtype D> void activate(const RunArgs& block) {
  RunArgs r = block;
  r.x = block.y;
  vectorized(A, D)(r);
}
template <Dtype D> void bias_matmul(const RunArgs& b) { Cublaslt::get().matmul(b, D, CUBLASLT_EPILOGUE_BIAS); }

template <Dtype D> void ceiling_layer(const RunArgs& a) { bias_matmul<D>(a); }
template <Activation A, Dtype D> void epilogue_layer(const RunArgs& a) {
  static_assert(A == Activation::relu || A == Activation::gelu_tanh, "cuBLASLt's epilogues: RELU_BIAS, GELU_BIAS");
  Cublaslt::get().matmul(a, D, A == Activation::relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_GELU_BIAS);
}
template <Activation A, Dtype D> void vectorized_layer(const RunArgs& a) {
  gpu_layer::run_separate(a, bias_matmul<D>, activate<A, D>);
}
template <Activation A, Dtype D> void tiled_layer(const RunArgs& a) {
  gpu_layer::run_tiled(a, D, gpu_layer::gpu_plan(a.layer, D, l2_bytes()), bias_matmul<D>, activate<A, D>);
}

template <Activation A> constexpr bool is_forward() { return A != Activation::copy && pass_of<A> == Pass::forward; }
template <Activation A, Dtype D> struct EpilogueFamily {
  static constexpr RunFn run() {
    if constexpr (A == Activation::relu || A == Activation::gelu_tanh) return &epilogue_layer<A, D>;
    else return nullptr;
  }
};
template <Activation A, Dtype D> struct VectorizedFamily {
  static constexpr RunFn run() {
    if constexpr (is_forward<A>()) return &vectorized_layer<A, D>;
    else return nullptr;
  }
};
template <Activation A, Dtype D> struct TiledFamily {
  static constexpr RunFn run() {
    if constexpr (is_forward<A>()) return &tiled_layer<A, D>;
    else return nullptr;
  }
};

template <template <Activation, Dtype> class Family>
void add_method(const char* variant, Kind kind, Epilogue e, const char* description, std::vector<Variant>& out) {
  for (Activation a : all_activations())
    for (Dtype d : {Dtype::f32, Dtype::f16, Dtype::bf16})
      if (const RunFn run = rows::kernel_table<Family>(a, d)) {
        const Accuracy acc = e == Epilogue::library ? Accuracy::library : rows::ours_accuracy(a);
        out.push_back(rows::layer_row(Device::gpu, a, variant, d, kind, acc, run, description, {"cublaslt", e}));
      }
}

}  // namespace
}  // namespace elubench::gpu_variants

namespace elubench {

void add_gpu_layer_variants(std::vector<Variant>& out) {
  namespace g = gpu_variants;
  out.push_back(rows::layer_row(Device::gpu, Activation::copy, "layer_cublaslt", Dtype::f32, Kind::ceiling,
                                Accuracy::exact, &g::ceiling_layer<Dtype::f32>,
                                "cuBLASLt matmul, EPILOGUE_BIAS: the layer ceiling", {"cublaslt", Epilogue::none}));
  out.push_back(rows::layer_row(Device::gpu, Activation::copy, "layer_cublaslt", Dtype::f16, Kind::ceiling,
                                Accuracy::exact, &g::ceiling_layer<Dtype::f16>,
                                "cuBLASLt matmul, EPILOGUE_BIAS: the layer ceiling", {"cublaslt", Epilogue::none}));
  out.push_back(rows::layer_row(Device::gpu, Activation::copy, "layer_cublaslt", Dtype::bf16, Kind::ceiling,
                                Accuracy::exact, &g::ceiling_layer<Dtype::bf16>,
                                "cuBLASLt matmul, EPILOGUE_BIAS: the layer ceiling", {"cublaslt", Epilogue::none}));
  g::add_method<g::EpilogueFamily>("layer_cublaslt_epilogue", Kind::peer, Epilogue::library,
                                   "cuBLASLt matmul with the activation in its epilogue (RELU_BIAS; GELU_BIAS, tanh form)",
                                   out);
  g::add_method<g::VectorizedFamily>("layer_cublaslt_vectorized", Kind::kernel, Epilogue::separate_pass,
                                     "cuBLASLt matmul, EPILOGUE_BIAS, then our vectorized activation kernel over y", out);
  g::add_method<g::TiledFamily>("layer_cublaslt_tiled", Kind::kernel, Epilogue::tiled,
                                "ours: cuBLASLt BIAS matmul on blocks of rows of y sized to half the L2, each block's "
                                "activation kernel right after it on the stream",
                                out);
}

}  // namespace elubench
