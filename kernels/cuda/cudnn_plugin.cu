// The one exported entry point of libelubench_cudnn.so, the plugin that holds cudnn.cu and is
// the only object linked against libcudnn. elubench and the tests dlopen it on first use of a
// cudnn row (cudnn_loader.cpp), so they start on machines without cuDNN and skip those rows
// with the loader's reason. Everything else in the plugin is hidden (-fvisibility=hidden).
#include "gpu_variants.cuh"

// act, dtype: an Activation and a Dtype as int (the loader is built from the same headers).
// nullptr for a pair without a cuDNN row.
extern "C" __attribute__((visibility("default"))) elubench::RunFn elubench_cudnn_fn(int act, int dtype) {
  return elubench::gpu_variants::cudnn_direct(static_cast<elubench::Activation>(act), static_cast<elubench::Dtype>(dtype));
}
