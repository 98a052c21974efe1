// The host buffers the rows of a run share, made once per run and kept for the run.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "buffers/host_buffer.hpp"
#include "cli/options.hpp"
#include "elubench/registry.hpp"
#include "plan/layer_data.hpp"

namespace elubench::bench {

// The host buffers the rows share, made once per run:
// - per (dtype, n), the input, drawn fresh in each run from the --input distribution: variants
//   are compared on identical data (a paired comparison), and drawing 2^26 normals per row
//   would dominate the suite's time;
// - per (dtype, n), the rows' host output: a row poisons it before its timed calls and checks it
//   after its last repetition, which Google Benchmark reports before it runs any other row, so
//   no row needs an output of its own (a GPU row copies its output there for both checks). An
//   output per row would need ~38 GB for the default suite, too much to interleave its rows,
//   and would put a cell's copy ceiling minutes apart from its kernels;
// - per (dtype, n), a backward's dy; per (backward, n, params) its saved tensor (x itself when
//   the activation saves its input).
// The inputs are read-only once filled (buffers/guards.hpp): a kernel that writes into one fails
// its row, and restore_inputs() fills them again, so the rows after it read what they should.
class SharedBuffers {
 public:
  SharedBuffers(Input dist, unsigned seed) : dist_(dist), seed_(seed), layers_(dist, seed ^ 0x1a7e5u) {}
  std::shared_ptr<const HostBuffer> input(Dtype d, std::size_t n);
  std::shared_ptr<HostBuffer> output(Dtype d, std::size_t n);
  std::shared_ptr<const HostBuffer> grad(Dtype d, std::size_t n);
  std::shared_ptr<const HostBuffer> saved(const Variant& backward, std::size_t n, const ActivationParams& p);
  // After a row was caught writing where it may not: every input filled again as it was made
  // (only the pages written were made writable, but which is not worth tracking for a failure),
  // and every output's canaries written again.
  void restore_inputs();
  // The layer rows' data (--layers): x, w, bias, y and the reference, per (dtype, shape).
  LayerBuffers& layers() { return layers_; }

 private:
  // A buffer and how it is filled (an input: then made read-only), so that it can be made again.
  struct Slot {
    std::shared_ptr<HostBuffer> buffer;
    std::function<void(HostBuffer&)> fill;  // empty for an output
  };
  using Key = std::pair<Dtype, std::size_t>;
  using SavedKey = std::tuple<Activation, Dtype, std::size_t, ActivationParams>;  // every variant's the same
  static const std::shared_ptr<HostBuffer>& made(Slot& slot, std::size_t bytes, std::size_t offset,
                                                 std::function<void(HostBuffer&)> fill);
  Input dist_;
  unsigned seed_;
  std::map<Key, Slot> inputs_, grads_, outputs_;
  std::map<SavedKey, Slot> saved_;
  LayerBuffers layers_;
};

}  // namespace elubench::bench
