// cpu/*/xnnpack: the library peer TensorFlow Lite and PyTorch Mobile run, XNNPACK's operator API
// (Debian's libxnnpack, a 2022-02 snapshot). ELU is xnn_create_elu_nc_f32, whose microkernels
// are table-based expm1s: `avx512f-rr1-lut16-p3-perm-x64` on AVX-512, `avx2-rr1-lut4-p4-perm-x56`
// on AVX2 (its init.c picks them; max 5 and 3 ULP over [-17.6, 0]); ReLU is the clamp operator with
// [0, +inf] (f32, and f16 where this snapshot has it: there is no f16 ELU operator in it).
// XNNPACK's own operator test holds ELU to a relative error of 1e-5, hence Accuracy::library
// (tests/test_peers.cpp holds it to that 1e-5 too). Findings, pinned in the tests: it refuses
// alpha <= 0 (xnn_status_invalid_parameter), it runs with denormals off (pthreadpool's
// PTHREADPOOL_FLAG_DISABLE_DENORMALS: subnormal inputs and results become 0), and the clamp
// turns NaN into 0.
//
// What a framework does, we do: xnn_initialize once, one operator per (operator, alpha) created
// on first use (creation packs parameters and picks microkernels; it is not timed), and per call
// only setup (attach the buffers) and run. Threads: XNNPACK's own pthreadpool with the row's
// thread count, one pool per count, kept for the process (threads = 1 passes no pool: XNNPACK
// then runs on the calling thread).
#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

#include "cpu_variants.hpp"

namespace elubench::cpu {

namespace {

enum class Op { elu_f32, clamp_f32, clamp_f16, leaky_relu_f32 };

void check(xnn_status s, const char* what) {
  if (s != xnn_status_success)
    throw std::runtime_error(std::string("xnnpack: ") + what + " failed (xnn_status " + std::to_string(s) + ")");
}

class Xnnpack {
 public:
  static Xnnpack& get() {
    static Xnnpack instance;
    return instance;
  }

  // XNNPACK may read up to XNN_EXTRA_BYTES past the end of its input (its documented contract);
  // RunArgs promises nothing past x + n. So XNNPACK gets the whole vectors directly, and the
  // last n % kBlock elements go through a padded copy. Benchmarked sizes are powers of two
  // (no tail), so the timed calls are exactly one setup + run.
  static constexpr std::size_t kBlock = 16;

  void run(Op op, const RunArgs& a) {
    std::lock_guard<std::mutex> lock(mu_);
    xnn_operator_t o = op_for(op, op == Op::leaky_relu_f32 ? a.params[LeakyRelu::kSlope] : a.params[Elu::kAlpha]);
    pthreadpool_t pool = pool_for(a.threads);
    const std::size_t es = op == Op::clamp_f16 ? 2 : 4;
    const std::size_t bulk = a.n / kBlock * kBlock;
    if (bulk > 0) run_once(op, o, bulk, a.x, a.y, pool);
    if (const std::size_t tail = a.n - bulk) {
      unsigned char xin[kBlock * 4 + XNN_EXTRA_BYTES] = {}, yout[kBlock * 4];
      std::memcpy(xin, static_cast<const unsigned char*>(a.x) + bulk * es, tail * es);
      run_once(op, o, tail, xin, yout, nullptr);
      std::memcpy(static_cast<unsigned char*>(a.y) + bulk * es, yout, tail * es);
    }
  }

  // The process's pool of `threads` threads (nullptr for 1), shared with the layer rows.
  pthreadpool_t pool(int threads) {
    std::lock_guard<std::mutex> lock(mu_);
    return pool_for(threads);
  }

 private:
  Xnnpack() { check(xnn_initialize(nullptr), "xnn_initialize"); }
  ~Xnnpack() {
    for (auto& [key, o] : ops_) xnn_delete_operator(o);
    for (auto& [t, p] : pools_) pthreadpool_destroy(p);
  }

  xnn_operator_t op_for(Op op, float alpha) {  // alpha: ELU's alpha, or Leaky ReLU's slope
    if (op == Op::clamp_f32 || op == Op::clamp_f16) alpha = 0;  // the clamp operators have no parameter
    const auto key = std::make_tuple(static_cast<int>(op), alpha);
    if (auto it = ops_.find(key); it != ops_.end()) return it->second;
    xnn_operator_t o = nullptr;
    // One channel with unit strides: XNNPACK then treats n elements as one contiguous range.
    switch (op) {
      case Op::elu_f32: check(xnn_create_elu_nc_f32(1, 1, 1, alpha, 0, &o), "xnn_create_elu_nc_f32"); break;
      case Op::clamp_f32:
        check(xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, INFINITY, 0, &o), "xnn_create_clamp_nc_f32");
        break;
      case Op::clamp_f16:
        check(xnn_create_clamp_nc_f16(1, 1, 1, 0.0f, INFINITY, 0, &o), "xnn_create_clamp_nc_f16");
        break;
      case Op::leaky_relu_f32:
        check(xnn_create_leaky_relu_nc_f32(1, 1, 1, alpha, 0, &o), "xnn_create_leaky_relu_nc_f32");
        break;
    }
    return ops_.emplace(key, o).first->second;
  }

  pthreadpool_t pool_for(int threads) {
    if (threads <= 1) return nullptr;
    if (auto it = pools_.find(threads); it != pools_.end()) return it->second;
    pthreadpool_t p = pthreadpool_create(static_cast<std::size_t>(threads));
    if (!p) throw std::runtime_error("xnnpack: pthreadpool_create(" + std::to_string(threads) + ") failed");
    return pools_.emplace(threads, p).first->second;
  }

  static void run_once(Op op, xnn_operator_t o, std::size_t n, const void* x, void* y, pthreadpool_t pool) {
    switch (op) {
      case Op::elu_f32:
        check(xnn_setup_elu_nc_f32(o, n, static_cast<const float*>(x), static_cast<float*>(y), pool),
              "xnn_setup_elu_nc_f32");
        break;
      case Op::clamp_f32:
        check(xnn_setup_clamp_nc_f32(o, n, static_cast<const float*>(x), static_cast<float*>(y), pool),
              "xnn_setup_clamp_nc_f32");
        break;
      case Op::clamp_f16: check(xnn_setup_clamp_nc_f16(o, n, x, y, pool), "xnn_setup_clamp_nc_f16"); break;
      case Op::leaky_relu_f32:
        check(xnn_setup_leaky_relu_nc_f32(o, n, static_cast<const float*>(x), static_cast<float*>(y), pool),
              "xnn_setup_leaky_relu_nc_f32");
        break;
    }
    check(xnn_run_operator(o, pool), "xnn_run_operator");
  }

  std::mutex mu_;
  std::map<std::tuple<int, float>, xnn_operator_t> ops_;
  std::map<int, pthreadpool_t> pools_;
};

}  // namespace

void xnnpack_elu_f32(const RunArgs& a) { Xnnpack::get().run(Op::elu_f32, a); }
void xnnpack_relu_f32(const RunArgs& a) { Xnnpack::get().run(Op::clamp_f32, a); }
void xnnpack_relu_f16(const RunArgs& a) { Xnnpack::get().run(Op::clamp_f16, a); }
void xnnpack_leaky_relu_f32(const RunArgs& a) { Xnnpack::get().run(Op::leaky_relu_f32, a); }
pthreadpool_t xnnpack_threadpool(int threads) { return Xnnpack::get().pool(threads); }

}  // namespace elubench::cpu
