// gpu/copy/vectorized body: the streaming engine moving bits, no math. The bandwidth ceiling
// our own kernels can reach with the same access pattern (the memcpy ceiling is the driver's).
#pragma once

#include "common.cuh"

namespace elubench::cuda {

struct copy_bits {
  static constexpr bool kStreams = true;
  template <class T> EB_HD static void run(size_t tid, size_t nthreads, const Args<T>& a) {
    stream_body(tid, nthreads, a.x, a.y, a.n, CopyBits<T>{});
  }
};

}  // namespace elubench::cuda
