// cpu/*/onednn: the library peer, oneDNN's eltwise forward primitive (eltwise_elu with alpha,
// eltwise_relu) on f32. oneDNN JIT-compiles the primitive for the CPU it finds; its ELU is
// exp(x) - 1 with a documented 4e-5 relative error, hence Accuracy::library.
// Only f32: this oneDNN (2.6) has no JIT bf16/f16 eltwise below AVX-512, so those rows are
// absent rather than timing a reference C++ loop under oneDNN's name.
#include <dnnl.hpp>
#include <omp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "cpu_variants.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

namespace {

// Building a primitive means creating a descriptor and JIT-generating code: tens to hundreds
// of microseconds, more than the kernel itself at small n. A framework builds it once per
// shape and reuses it, so we do too: one engine and stream for the process and one primitive
// per (algorithm, n, alpha), created on first use and then only executed. The caller's
// buffers are attached per call with set_data_handle, which costs no JIT.
struct Cached {
  dnnl::eltwise_forward prim;
  dnnl::memory src, dst;
};

class OneDnn {
 public:
  static OneDnn& get() {
    static OneDnn instance;
    return instance;
  }
  void run(dnnl::algorithm alg, const RunArgs& a) {
    if (a.n == 0) return;  // oneDNN rejects zero-sized tensors; there is nothing to do
    std::lock_guard<std::mutex> lock(mu_);
    const float alpha = alg == dnnl::algorithm::eltwise_elu ? a.params[Elu::kAlpha] : 0.0f;
    auto key = std::make_tuple(static_cast<int>(alg), a.n, alpha);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      const dnnl::memory::desc md({static_cast<dnnl::memory::dim>(a.n)}, dnnl::memory::data_type::f32,
                                  dnnl::memory::format_tag::a);
      const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, alg, md, alpha, 0.0f);
      const dnnl::eltwise_forward::primitive_desc pd(d, engine_);
      auto c = std::make_unique<Cached>(Cached{dnnl::eltwise_forward(pd), dnnl::memory(md, engine_, nullptr),
                                               dnnl::memory(md, engine_, nullptr)});
      it = cache_.emplace(key, std::move(c)).first;
    }
    Cached& c = *it->second;
    c.src.set_data_handle(const_cast<void*>(a.x));
    c.dst.set_data_handle(a.y);
    // This oneDNN is built on OpenMP: its parallel regions use the calling thread's OpenMP
    // thread count, which is how args.threads reaches it.
    omp_set_num_threads(a.threads < 1 ? 1 : a.threads);
    // Whether oneDNN leaves some of its threads idle at small n is not visible from here, so
    // the row records the threads it was given.
    detail::note_threads_used(a.threads < 1 ? 1 : a.threads);
    c.prim.execute(stream_, {{DNNL_ARG_SRC, c.src}, {DNNL_ARG_DST, c.dst}});
    stream_.wait();
  }

 private:
  OneDnn() : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}
  dnnl::engine engine_;
  dnnl::stream stream_;
  std::mutex mu_;
  std::map<std::tuple<int, std::size_t, float>, std::unique_ptr<Cached>> cache_;
};

}  // namespace

std::string onednn_dispatch_note() {
  // dnnl_cpu_isa_t values of oneDNN 2.x: the widest ISA its JIT generates code for in this process.
  const auto isa = static_cast<int>(dnnl_get_effective_cpu_isa());
  const char* name = isa == 0x3e7 ? "avx512_core_amx" : isa == 0xe7 ? "avx512_core_bf16" : isa == 0x67 ? "avx512_core_vnni"
                     : isa == 0x27 ? "avx512_core" : isa == 0x407 ? "avx2_vnni" : isa == 0x7 ? "avx2"
                     : isa == 0x3 ? "avx" : isa == 0x1 ? "sse41" : "another ISA";
  return std::string("; oneDNN's own JIT dispatch, here ") + name +
         " (ONEDNN_MAX_CPU_ISA caps a whole process; elubench --simd does not pin it)";
}

void onednn_elu_f32(const RunArgs& a) { OneDnn::get().run(dnnl::algorithm::eltwise_elu, a); }
void onednn_relu_f32(const RunArgs& a) { OneDnn::get().run(dnnl::algorithm::eltwise_relu, a); }

}  // namespace elubench::cpu
