// cpu/*/naive: the plain scalar loop a newcomer would write, one element at a time through
// the shared scalar math (std::expm1 for ELU). The baseline every other CPU variant beats.
// The dtype is a template parameter so that the loop is as plain as it looks: the compiler
// may auto-vectorize the ReLU loop (that is what a plain loop gets), never the expm1 call.
#include "cpu_variants.hpp"

#include "elubench/activations.hpp"
#include "parallel.hpp"

namespace elubench::cpu {

template <Activation A, Dtype D>
void run_naive(const RunArgs& a) {
  const auto* x = static_cast<const host_storage_t<D>*>(a.x);
  auto* y = static_cast<host_storage_t<D>*>(a.y);
  const float alpha = a.alpha;
  parallel_for(a.n, a.threads, [=](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const float v = widen<D>(x[i]);
      y[i] = narrow<D>(A == Activation::elu ? elu(v, alpha) : relu(v));
    }
  });
}

void naive_elu_f32(const RunArgs& a) { run_naive<Activation::elu, Dtype::f32>(a); }
void naive_elu_f16(const RunArgs& a) { run_naive<Activation::elu, Dtype::f16>(a); }
void naive_elu_bf16(const RunArgs& a) { run_naive<Activation::elu, Dtype::bf16>(a); }
void naive_relu_f32(const RunArgs& a) { run_naive<Activation::relu, Dtype::f32>(a); }
void naive_relu_f16(const RunArgs& a) { run_naive<Activation::relu, Dtype::f16>(a); }
void naive_relu_bf16(const RunArgs& a) { run_naive<Activation::relu, Dtype::bf16>(a); }

}  // namespace elubench::cpu
