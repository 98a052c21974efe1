// oneDNN's matmul for the CPU layer rows: one primitive per (dtype, tile shape, leading
// dimension, weights layout, post-op), created on first use and kept; weights packed into
// oneDNN's blocked layout once per (w, weights_version, panel) where the caller says they are
// constant. A matmul given w in its plain row-major layout repacks its blocks on every call
// (measured on the 2-core Xeon, one thread, (k, n) = (1024, 4096): m = 1 took 6x the packed
// weights' time in f32, 4x in bf16); frameworks pack a layer's weights once.
#include "onednn_matmul.hpp"

#include <omp.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "elubench/dtypes.hpp"

namespace elubench::cpu::onednn {

namespace {
using dt = dnnl::memory::data_type;
using md = dnnl::memory::desc;
using dims = dnnl::memory::dims;

dt dnnl_type(Dtype d) {
  switch (d) {
    case Dtype::f32: return dt::f32;
    case Dtype::f16: return dt::f16;
    case Dtype::bf16: return dt::bf16;
  }
  throw std::logic_error("onednn: not a Dtype");
}
dnnl::memory::dim dim(std::size_t v) { return static_cast<dnnl::memory::dim>(v); }

struct Key {
  int dtype;
  std::size_t rows, cols, k, ld;
  bool packed;
  int algorithm;  // -1: no post-op
  float alpha, beta, scale;
  auto operator<=>(const Key&) const = default;
};
struct Prim {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
};
// A packed column panel of w.
struct Packed {
  const void* w;
  std::uint64_t version;
  std::size_t col, ld;
  md desc;
  dnnl::memory mem;
};

class Matmuls {
 public:
  static Matmuls& get() {
    static Matmuls m;
    return m;
  }
  const dnnl::engine& engine() const { return engine_; }

  Prepared prepare(const RunArgs& a, Dtype d, const Tile& t, const std::optional<PostOp>& post) {
    std::lock_guard<std::mutex> lock(mu_);
    const Key key{static_cast<int>(d), t.rows, t.cols, a.layer.k, a.layer.n, a.weights_version != 0,
                  post ? static_cast<int>(post->algorithm) : -1, post ? post->alpha : 0.f, post ? post->beta : 0.f,
                  post ? post->scale : 1.f};
    auto it = prims_.find(key);
    if (it == prims_.end()) it = prims_.emplace(key, std::make_unique<Prim>(make(key, d, post))).first;
    const Prim& p = *it->second;
    const std::size_t es = dtype_size(d);
    void* panel = const_cast<char*>(static_cast<const char*>(a.w) + t.col * es);
    dnnl::memory weights = key.packed ? packed(a, t, p.pd.weights_desc(), d)
                                      : dnnl::memory(p.pd.weights_desc(), engine_, panel);
    return {&p.pd, &p.prim, weights};
  }

 private:
  Matmuls() : engine_(dnnl::engine::kind::cpu, 0) {}

  Prim make(const Key& k, Dtype d, const std::optional<PostOp>& post) const {
    const dt type = dnnl_type(d);
    const md src({dim(k.rows), dim(k.k)}, type, {dim(k.k), 1});
    const md wts = k.packed ? md({dim(k.k), dim(k.cols)}, type, dnnl::memory::format_tag::any)
                            : md({dim(k.k), dim(k.cols)}, type, {dim(k.ld), 1});
    const md bias({1, dim(k.cols)}, type, {dim(k.cols), 1});
    const md dst({dim(k.rows), dim(k.cols)}, type, {dim(k.ld), 1});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // one scratchpad per thread: tiles run at once
    if (post) {
      dnnl::post_ops ops;
      ops.append_eltwise(post->scale, post->algorithm, post->alpha, post->beta);
      attr.set_post_ops(ops);
    }
    const std::string what = "oneDNN 2.6 matmul in " + std::string(to_string(d));
    try {
      dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wts, bias, dst), attr, engine_);
      // Timing oneDNN's reference C++ loop under its name would misstate the library.
      if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0)
        throw VariantUnavailable(what + ": only its reference C++ implementation (" + pd.impl_info_str() +
                                 ") on this CPU");
      return {pd, dnnl::matmul(pd)};
    } catch (const dnnl::error& e) {
      throw VariantUnavailable(what + ": not implemented on this CPU (" + e.what() + ")");
    }
  }

  // w's panel [t.col, t.col + t.cols) in layout `want`, packed on first use of this
  // (w, version, panel, layout); the oldest of kKeep panels is dropped for a new one.
  dnnl::memory packed(const RunArgs& a, const Tile& t, const md& want, Dtype d) {
    for (const Packed& p : packed_)
      if (p.w == a.w && p.version == a.weights_version && p.col == t.col && p.ld == a.layer.n && p.desc == want)
        return p.mem;
    const std::size_t es = dtype_size(d);
    const md plain({dim(a.layer.k), dim(t.cols)}, dnnl_type(d), {dim(a.layer.n), 1});
    dnnl::memory src(plain, engine_, const_cast<char*>(static_cast<const char*>(a.w) + t.col * es));
    dnnl::memory dst(want, engine_);
    dnnl::stream stream(engine_);
    dnnl::reorder(src, dst).execute(stream, src, dst);
    stream.wait();
    if (packed_.size() == kKeep) packed_.pop_front();
    packed_.push_back({a.w, a.weights_version, t.col, a.layer.n, want, dst});
    return dst;
  }

  static constexpr std::size_t kKeep = 16;
  dnnl::engine engine_;
  std::mutex mu_;
  std::map<Key, std::unique_ptr<Prim>> prims_;
  std::deque<Packed> packed_;
};

dnnl::memory at(const md& desc, const void* p) {
  return dnnl::memory(desc, Matmuls::get().engine(), const_cast<void*>(p));
}
}  // namespace

Prepared prepare(const RunArgs& a, Dtype d, const Tile& t, const std::optional<PostOp>& post) {
  return Matmuls::get().prepare(a, d, t, post);
}

void execute(const Prepared& p, const RunArgs& a, Dtype d, const Tile& t, int threads) {
  // Per thread: a stream (oneDNN's CPU stream runs on the calling thread) and a scratchpad.
  thread_local dnnl::stream stream(Matmuls::get().engine());
  thread_local std::vector<unsigned char> scratch;
  const std::size_t es = dtype_size(d);
  const md scratch_desc = p.pd->scratchpad_desc();
  if (scratch.size() < scratch_desc.get_size() + 64) scratch.resize(scratch_desc.get_size() + 64);
  const auto base = reinterpret_cast<std::uintptr_t>(scratch.data());
  void* aligned = scratch.data() + (64 - base % 64) % 64;  // oneDNN's alignment for its buffers
  omp_set_num_threads(std::max(threads, 1));
  p.prim->execute(stream, {{DNNL_ARG_SRC, at(p.pd->src_desc(), static_cast<const char*>(a.x) + t.row * a.layer.k * es)},
                           {DNNL_ARG_WEIGHTS, p.weights},
                           {DNNL_ARG_BIAS, at(p.pd->bias_desc(), static_cast<const char*>(a.bias) + t.col * es)},
                           {DNNL_ARG_DST, at(p.pd->dst_desc(), static_cast<char*>(a.y) + (t.row * a.layer.n + t.col) * es)},
                           {DNNL_ARG_SCRATCHPAD, at(scratch_desc, aligned)}});
  stream.wait();
}

void run_whole(const RunArgs& a, Dtype d, const std::optional<PostOp>& post) {
  const Tile whole{0, a.layer.m, 0, a.layer.n};
  execute(prepare(a, d, whole, post), a, d, whole, a.threads);
}

}  // namespace elubench::cpu::onednn
