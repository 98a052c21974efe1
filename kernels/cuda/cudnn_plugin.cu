// The one exported entry point of libelubench_cudnn.so, the plugin that holds cudnn.cu and is
// the only object linked against libcudnn. elubench and the tests dlopen it on first use of a
// cudnn row (cudnn_loader.cpp), so they start on machines without cuDNN and skip those rows
// with the loader's reason. Everything else in the plugin is hidden (-fvisibility=hidden).
#include "gpu_variants.cuh"

namespace g = elubench::gpu_variants;
using elubench::Activation;
using elubench::Dtype;

// act: 0 elu, 1 relu; dtype: 0 f32, 1 f16. nullptr for a pair cudnn.cu does not provide.
extern "C" __attribute__((visibility("default"))) elubench::RunFn elubench_cudnn_fn(int act, int dtype) {
  if (act == 0 && dtype == 0) return g::cudnn_activation<Activation::elu, Dtype::f32>;
  if (act == 0 && dtype == 1) return g::cudnn_activation<Activation::elu, Dtype::f16>;
  if (act == 1 && dtype == 0) return g::cudnn_activation<Activation::relu, Dtype::f32>;
  if (act == 1 && dtype == 1) return g::cudnn_activation<Activation::relu, Dtype::f16>;
  return nullptr;
}
